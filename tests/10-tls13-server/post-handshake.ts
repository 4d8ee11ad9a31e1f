// Exercise 10.21: the client's KeyUpdate, from the server's side, with RFC 8448 §3's application secrets: every record
// is sealed or opened here on Node's AES-GCM with secrets derived by the oracle (tests/support/tls13-oracle.ts), never
// with the learner's code. The live test with `openssl s_client`'s "K" command is in live.ts.
import { expect } from "chai";
import { AlertDescription } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { Tls13RecordLayer, direction13 } from "../../chapters/08-tls13-handshake/index.js";
import { type ServerTrafficState, handleClientPostHandshake, sendServerKeyUpdate } from "../../chapters/10-tls13-server/index.js";
import { replayTransport } from "../support/replay-transport.js";
import { expectTlsError } from "../support/properties.js";
import { oracleDirection, oracleNextSecret, oracleOpen, oracleSeal, suite13 } from "../support/tls13-oracle.js";
import { APPLICATION_DATA, HANDSHAKE } from "./helpers.js";
import { secret, traceKeys } from "./vectors.js";

const SUITE = suite13(0x1301);
const KEY_UPDATE = (requested: boolean) => Uint8Array.of(24, 0, 0, 1, requested ? 1 : 0);
const text = (s: string) => new TextEncoder().encode(s);

/** A server connection after §3's handshake, reading `clientRecords`. */
function connection(clientRecords: Uint8Array[]) {
  const replay = replayTransport(clientRecords);
  const records = new Tls13RecordLayer(replay, undefined, "server");
  const k = traceKeys(3);
  records.setReadKeys(direction13("AES_128_GCM", k.clientApplication));
  records.setWriteKeys(direction13("AES_128_GCM", k.serverApplication));
  const state: ServerTrafficState = { records, hash: "SHA-256", aead: "AES_128_GCM", serverTrafficSecret: secret(3, "s ap traffic"), clientTrafficSecret: secret(3, "c ap traffic") };
  return { replay, records, state };
}

describe("10.21 the client's KeyUpdate", () => {
  it("10.21 a KeyUpdate asking for ours: the server reads under the client's next secret, answers with update_not_requested under its OLD keys, then writes under its next", async () => {
    const client = oracleDirection(SUITE, secret(3, "c ap traffic"));
    const clientNext = oracleDirection(SUITE, oracleNextSecret(SUITE, secret(3, "c ap traffic")));
    const { replay, records, state } = connection([oracleSeal(client, HANDSHAKE, KEY_UPDATE(true)), oracleSeal(clientNext, APPLICATION_DATA, text("after the update"))]);
    const first = await records.readPostHandshake();
    expect(first?.kind).to.equal("handshake");
    handleClientPostHandshake(state, (first as { message: Uint8Array }).message);
    const data = await records.readPostHandshake();
    expect(new TextDecoder().decode((data as { data: Uint8Array }).data), "data under the client's next keys").to.equal("after the update");
    records.sendApplicationData(text("ours, after"));
    const server = oracleDirection(SUITE, secret(3, "s ap traffic"));
    const answer = oracleOpen(server, replay.written[0]!);
    expect([answer.type, toHex(answer.content)], "our KeyUpdate, under the old keys").to.deep.equal([HANDSHAKE, toHex(KEY_UPDATE(false))]);
    const serverNext = oracleDirection(SUITE, oracleNextSecret(SUITE, secret(3, "s ap traffic")));
    expect(new TextDecoder().decode(oracleOpen(serverNext, replay.written[1]!).content), "our data, under our next keys").to.equal("ours, after");
  });

  it("10.21 a KeyUpdate that does not ask: followed, not answered (two answering peers would update forever)", async () => {
    const client = oracleDirection(SUITE, secret(3, "c ap traffic"));
    const { replay, records, state } = connection([oracleSeal(client, HANDSHAKE, KEY_UPDATE(false))]);
    const first = await records.readPostHandshake();
    handleClientPostHandshake(state, (first as { message: Uint8Array }).message);
    expect(replay.written, "nothing sent").to.have.length(0);
    expect(toHex(state.clientTrafficSecret)).to.equal(toHex(oracleNextSecret(SUITE, secret(3, "c ap traffic"))));
  });

  it("10.21 sendServerKeyUpdate on its own: the KeyUpdate under the old keys, and the next record under the new", () => {
    const { replay, records, state } = connection([]);
    sendServerKeyUpdate(state, true);
    records.sendApplicationData(text("x"));
    expect(toHex(oracleOpen(oracleDirection(SUITE, secret(3, "s ap traffic")), replay.written[0]!).content)).to.equal(toHex(KEY_UPDATE(true)));
    expect(oracleOpen(oracleDirection(SUITE, oracleNextSecret(SUITE, secret(3, "s ap traffic"))), replay.written[1]!).type).to.equal(APPLICATION_DATA);
  });

  it("10.21 any other handshake message from a client after its Finished (a NewSessionTicket): unexpected_message; a KeyUpdate of 2: illegal_parameter", () => {
    const { state } = connection([]);
    expectTlsError(() => handleClientPostHandshake(state, Uint8Array.of(4, 0, 0, 0)), { alert: AlertDescription.unexpected_message, field: "handshake type" });
    expectTlsError(() => handleClientPostHandshake(state, Uint8Array.of(24, 0, 0, 1, 2)), { alert: AlertDescription.illegal_parameter });
  });
});
