// Chapter 09's ticket store: tickets written to a JSON file and read back by the next run, used once, dropped when
// their lifetime is over (RFC 8446 §4.6.1). The file is read here with JSON.parse, not with the learner's loader.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertDescription } from "../../lib/constants.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { expectTlsError } from "../support/properties.js";
import { type StoredTicket, TicketStore } from "../../chapters/09-resumption-0rtt/index.js";

const T0 = Date.UTC(2024, 0, 1);
const ticket = (over: Partial<StoredTicket>): StoredTicket => ({
  servername: "localhost",
  cipherSuite: 0x1301,
  identity: Uint8Array.of(1, 2, 3),
  psk: new Uint8Array(32).fill(9),
  ageAdd: 12345,
  receivedAt: T0,
  lifetime: 60,
  maxEarlyDataSize: 16384,
  ...over,
});

describe("09 the ticket store", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "tls-by-hand-09-store-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("09.11 saves valid tickets as JSON and a new store loads them back", () => {
    const file = join(dir, "a.json");
    const store = new TicketStore(file);
    store.add(ticket({}), ticket({ identity: Uint8Array.of(9), receivedAt: T0 - 120_000 }));
    store.save(new Date(T0 + 1000));
    const json = JSON.parse(readFileSync(file, "utf8")) as { version: number; tls: string; tickets: { identity: string; psk: string }[] };
    expect(json.tls, "the file says which TLS version it holds").to.equal("1.3");
    expect(json.tickets.map((t) => t.identity), "the expired one is not written").to.deep.equal(["010203"]);
    expect(json.tickets[0]!.psk).to.equal("09".repeat(32));
    const again = TicketStore.load(file);
    const t = again.take("localhost", new Date(T0 + 1000))!;
    expectSame(
      { identity: t.identity, psk: t.psk, ageAdd: t.ageAdd, receivedAt: t.receivedAt, lifetime: t.lifetime, maxEarlyDataSize: t.maxEarlyDataSize, cipherSuite: t.cipherSuite },
      { identity: Uint8Array.of(1, 2, 3), psk: new Uint8Array(32).fill(9), ageAdd: 12345, receivedAt: T0, lifetime: 60, maxEarlyDataSize: 16384, cipherSuite: 0x1301 },
      "the ticket loaded back",
    );
  });

  it("09.11 take: newest valid ticket for that name, used once, expired ones dropped", () => {
    const store = new TicketStore();
    store.add(ticket({ identity: Uint8Array.of(1) }), ticket({ identity: Uint8Array.of(2), receivedAt: T0 + 10 }), ticket({ identity: Uint8Array.of(3), servername: "other" }));
    const now = new Date(T0 + 20);
    expectBytes(store.take("localhost", now)?.identity, Uint8Array.of(2), "the newest ticket first");
    expectBytes(store.take("localhost", now)?.identity, Uint8Array.of(1), "then the other");
    expect(store.take("localhost", now), "each ticket once").to.equal(undefined);
    expect(store.take("other", new Date(T0 + 60_000)), "past its 60 s lifetime").to.equal(undefined);
    expect(store.tickets.length).to.equal(0);
  });

  it("09.11 a store without a file cannot save; a missing file loads as empty", () => {
    expectTlsError(() => new TicketStore().save(), { alert: AlertDescription.internal_error, field: "file" });
    expect(TicketStore.load(join(dir, "missing.json")).tickets).to.deep.equal([]);
  });
});
