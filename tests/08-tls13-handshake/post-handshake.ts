// Exercise 08.18, what comes after the handshake, on RFC 8448 §3 replayed: after the trace's NewSessionTicket the
// "server" sends KeyUpdates and tickets of our making, encrypted by Node's AEAD under the trace's application keys
// and, after each KeyUpdate, under the next generation computed by the test harness (RFC 8446 §7.2, on Node's HMAC).
// Every record our client writes is opened the same way, so the keys it moved to are checked from outside.
import { expect } from "chai";
import { connectTls13 } from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { replayTransport } from "../support/replay-transport.js";
import { type OracleDirection, oracleDirection, oracleNextSecret, oracleOpen, oracleSeal, suite13 } from "../support/tls13-oracle.js";
import { expectRejection } from "./helpers.js";
import { record, replayOptions, secret } from "./rfc-replay.js";
import { handshakeMessage, rfcMessage, ticketFields } from "./vectors.js";

const HANDSHAKE = 22;
const APPLICATION_DATA = 23;
const SUITE = suite13(0x1301);

/** Generation `n` of a side's application traffic secret, from the trace's generation 0. */
function generation(side: "c" | "s", n: number): Uint8Array {
  let s = secret(3, `${side} ap traffic`);
  for (let i = 0; i < n; i++) s = oracleNextSecret(SUITE, s);
  return s;
}

/** Node's AEAD for a side's generation `n`, starting at `sequence`. */
const direction = (side: "c" | "s", n: number, sequence = 0n): OracleDirection => ({ ...oracleDirection(SUITE, generation(side, n)), sequence });

/** §3's handshake, the trace's ticket (server application record 0), then `after` (records of our making). */
async function afterHandshake(after: (server: OracleDirection) => Uint8Array[]) {
  const server = direction("s", 0, 1n);
  const transport = replayTransport([record(3, "send handshake record", 1), record(3, "send handshake record", 2), record(3, "send handshake record", 4), ...after(server)]);
  const conn = await connectTls13(transport, replayOptions(3, []));
  return { conn, transport };
}

const text = (s: string) => new TextEncoder().encode(s);
const keyUpdate = (requested: number) => Uint8Array.of(24, 0, 0, 1, requested);
/** Our records after the handshake (the ClientHello and Finished are the first two). */
const ours = (written: Uint8Array[]) => written.slice(2);

describe("08.18 after the handshake: KeyUpdate and NewSessionTicket (RFC 8448 §3 replayed)", function () {
  it("08.18 a KeyUpdate asking for ours: we read on under the server's next keys, answer with update_not_requested, and write under our next keys", async () => {
    const { conn, transport } = await afterHandshake((server) => {
      const next = direction("s", 1);
      return [oracleSeal(server, HANDSHAKE, keyUpdate(1)), oracleSeal(next, APPLICATION_DATA, text("under generation 1"))];
    });
    expect(new TextDecoder().decode((await conn.read())!)).to.equal("under generation 1");
    conn.write(text("ours, under generation 1"));
    const [answer, data] = ours(transport.written);
    const g0 = direction("c", 0);
    expectSame(oracleOpen(g0, answer!), { type: HANDSHAKE, content: keyUpdate(0), padding: 0 }, "our KeyUpdate, still under generation 0");
    const g1 = direction("c", 1);
    expect(new TextDecoder().decode(oracleOpen(g1, data!).content), "our data, under generation 1").to.equal("ours, under generation 1");
  });

  it("08.18 a KeyUpdate that does not ask for ours: we move our reading keys only, and send nothing", async () => {
    const { conn, transport } = await afterHandshake((server) => {
      const g1 = direction("s", 1);
      const g2 = direction("s", 2);
      return [
        oracleSeal(server, HANDSHAKE, keyUpdate(0)),
        oracleSeal(g1, APPLICATION_DATA, text("one")),
        oracleSeal(g1, HANDSHAKE, keyUpdate(0)),
        oracleSeal(g2, APPLICATION_DATA, text("two")),
      ];
    });
    expect(new TextDecoder().decode((await conn.read())!)).to.equal("one");
    expect(new TextDecoder().decode((await conn.read())!)).to.equal("two");
    conn.write(text("still generation 0"));
    const written = ours(transport.written);
    expect(written).to.have.length(1);
    expect(new TextDecoder().decode(oracleOpen(direction("c", 0), written[0]!).content)).to.equal("still generation 0");
  });

  it("08.18 updateKeys(): our KeyUpdate goes under the old keys, our data after it under the next; with true it asks the server", async () => {
    const { conn, transport } = await afterHandshake(() => []);
    conn.updateKeys();
    conn.write(text("a"));
    conn.updateKeys(true);
    conn.write(text("b"));
    const [u1, a, u2, b] = ours(transport.written);
    const g0 = direction("c", 0);
    const g1 = direction("c", 1);
    const g2 = direction("c", 2);
    expectBytes(oracleOpen(g0, u1!).content, keyUpdate(0), "our KeyUpdate, under generation 0");
    expectBytes(oracleOpen(g1, a!).content, text("a"), "our data, under generation 1");
    expectBytes(oracleOpen(g1, u2!).content, keyUpdate(1), "our KeyUpdate asking for the server's, under generation 1");
    expectBytes(oracleOpen(g2, b!).content, text("b"), "our data, under generation 2");
  });

  it("08.18 tickets: one split across two records is kept; one with lifetime 0 is not; the trace's own ticket came first", async () => {
    const ticket = (lifetime: number, id: number) =>
      handshakeMessage(4, [...[24, 16, 8, 0].map((s) => (lifetime >>> s) & 0xff), 0, 0, 0, 9, 1, id, 0, 3, id, id, id, 0, 0]);
    const { conn } = await afterHandshake((server) => {
      const split = ticket(600, 0x42);
      return [
        oracleSeal(server, HANDSHAKE, split.slice(0, 6)),
        oracleSeal(server, HANDSHAKE, split.slice(6)),
        oracleSeal(server, HANDSHAKE, ticket(0, 0x43)),
        oracleSeal(server, APPLICATION_DATA, text("data")),
      ];
    });
    expect(new TextDecoder().decode((await conn.read())!)).to.equal("data");
    const trace = ticketFields(rfcMessage(3, "NewSessionTicket"));
    expectSame(
      conn.tickets.map((t) => ({ lifetime: t.ticket.lifetime, ticket: t.ticket.ticket })),
      [
        { lifetime: trace.lifetime, ticket: trace.ticket },
        { lifetime: 600, ticket: Uint8Array.of(0x42, 0x42, 0x42) },
      ],
      "the tickets kept",
    );
  });

  for (const [id, label, after, alert] of [
    ["08.18", "a KeyUpdate whose request_update is 2", (s: OracleDirection) => [oracleSeal(s, HANDSHAKE, keyUpdate(2))], "illegal_parameter"],
    [
      "08.18",
      "a KeyUpdate sharing its record with the start of the next message (across a change of keys)",
      (s: OracleDirection) => [oracleSeal(s, HANDSHAKE, Uint8Array.from([...keyUpdate(0), 4, 0]))],
      "unexpected_message",
    ],
    [
      "08.18",
      "a CertificateRequest after the handshake (we never offered post_handshake_auth)",
      (s: OracleDirection) => [oracleSeal(s, HANDSHAKE, handshakeMessage(13, [1, 5, 0, 8, 0, 13, 0, 4, 0, 2, 8, 4]))],
      "unexpected_message",
    ],
    ["08.18", "a second server Finished", (s: OracleDirection) => [oracleSeal(s, HANDSHAKE, handshakeMessage(20, new Uint8Array(32)))], "unexpected_message"],
    [
      "08.18",
      "a ticket valid for 8 days",
      (s: OracleDirection) => [oracleSeal(s, HANDSHAKE, handshakeMessage(4, [0, 10, 0x8c, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0]))],
      "illegal_parameter",
    ],
  ] as [string, string, (s: OracleDirection) => Uint8Array[], string][]) {
    it(`${id} ${label}: ${alert}`, async () => {
      const { conn } = await afterHandshake(after);
      const e = await expectRejection(() => conn.read());
      expect(e.alertName, e.message).to.equal(alert);
    });
  }
});
