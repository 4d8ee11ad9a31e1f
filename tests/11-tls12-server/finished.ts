// Exercises 11.10 and 11.11: the Finished messages from the server's side, on the recorded connection's transcript and
// master secret. Its records were AES-CBC, which this server does not speak, so the recorded Finished MESSAGES travel
// here in AES-128-GCM records sealed and opened by Node (tests/support/tls12-oracle.ts), under keys Node's PRF cut from
// the recorded master secret: the learner's server must accept the recorded client Finished (cf 91 96 26 …) and write
// the recorded server Finished (84 4d 3c 10 …).
import { expect } from "chai";
import { AlertDescription } from "../../lib/constants.js";
import { concat } from "../../lib/hex.js";
import { readClientFinished12, sendServerFinished12 } from "../../chapters/11-tls12-server/index.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { expectTlsError } from "../support/properties.js";
import { replayTransport } from "../support/replay-transport.js";
import { referenceOpen, referencePrf, referenceSeal } from "../support/tls12-oracle.js";
import { CHANGE_CIPHER_SPEC, HANDSHAKE, nodeSha256, oracleFinishedKeys, serverRecords } from "./helpers.js";
import { clientFinishedMessage, clientRandom, serverFinishedMessage, serverRandom, statedMaster, transcriptUpToClientKeyExchange } from "./vectors.js";

const CCS_RECORD = Uint8Array.of(CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1);
const keys = () => oracleFinishedKeys(statedMaster(), clientRandom(), serverRandom());
const sealedByClient = (content: Uint8Array, sequence = 0n) => {
  const k = keys();
  return referenceSeal(k.keys.clientKey, k.salts.client, sequence, HANDSHAKE, content);
};

/** A server record layer that has seen `messages`, reading `next`. */
function after(messages: Uint8Array[], next: Uint8Array[]) {
  const transport = replayTransport(next);
  const records = serverRecords(transport);
  for (const m of messages) records.transcript.add(m);
  return { records, transport };
}

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("11.10 readClientFinished12: the client's ChangeCipherSpec and Finished", () => {
  it("11.10 the recorded client Finished after the recorded messages: accepted, and it joins the transcript", async () => {
    const { records } = after(transcriptUpToClientKeyExchange(), [CCS_RECORD, sealedByClient(clientFinishedMessage())]);
    await readClientFinished12(records, keys());
    expectBytes(records.transcript.messages[6], clientFinishedMessage(), "the last transcript message");
  });

  it("11.10 one bit off in verify_data: decrypt_error (RFC 5246 §7.4.9)", async () => {
    const wrong = clientFinishedMessage();
    wrong[15]! ^= 1;
    const { records } = after(transcriptUpToClientKeyExchange(), [CCS_RECORD, sealedByClient(wrong)]);
    const error = await rejection(readClientFinished12(records, keys()));
    expectTlsError(() => {
      throw error;
    }, { alert: AlertDescription.decrypt_error, field: "verify_data" });
  });

  it("11.10 a transcript missing one message (the ServerHelloDone): the recorded Finished no longer matches, decrypt_error", async () => {
    const messages = transcriptUpToClientKeyExchange();
    messages.splice(4, 1);
    const { records } = after(messages, [CCS_RECORD, sealedByClient(clientFinishedMessage())]);
    const error = await rejection(readClientFinished12(records, keys()));
    expectTlsError(() => {
      throw error;
    }, { alert: AlertDescription.decrypt_error });
  });

  it("11.10 a Finished without the ChangeCipherSpec before it: unexpected_message", async () => {
    const plain = Uint8Array.from([HANDSHAKE, 3, 3, 0, 16, ...clientFinishedMessage()]);
    const { records } = after(transcriptUpToClientKeyExchange(), [plain]);
    const error = await rejection(readClientFinished12(records, keys()));
    expectTlsError(() => {
      throw error;
    }, { alert: AlertDescription.unexpected_message });
  });

  it("11.10 a Finished sealed under other keys (a client whose premaster differs from the server's): bad_record_mac from the record layer", async () => {
    const other = oracleFinishedKeys(new Uint8Array(48).fill(9), clientRandom(), serverRandom());
    const record = referenceSeal(other.keys.clientKey, other.salts.client, 0n, HANDSHAKE, clientFinishedMessage());
    const { records } = after(transcriptUpToClientKeyExchange(), [CCS_RECORD, record]);
    const error = await rejection(readClientFinished12(records, keys()));
    expectTlsError(() => {
      throw error;
    }, { alert: AlertDescription.bad_record_mac });
  });
});

describe("11.11 sendServerFinished12: [NewSessionTicket], ChangeCipherSpec, Finished", () => {
  const throughClientFinished = () => [...transcriptUpToClientKeyExchange(), clientFinishedMessage()];

  it("11.11 after the client's Finished: a ChangeCipherSpec, then the recorded server Finished (84 4d 3c 10 …), sealed under the server's keys", () => {
    const { records, transport } = after(throughClientFinished(), []);
    sendServerFinished12(records, keys());
    expect(transport.written.length, "records written").to.equal(2);
    expectBytes(transport.written[0], CCS_RECORD, "the ChangeCipherSpec record");
    const k = keys();
    expectBytes(referenceOpen(k.keys.serverKey, k.salts.server, 0n, transport.written[1]!), serverFinishedMessage(), "the Finished, opened by Node");
  });

  it("11.11 with a ticket: the NewSessionTicket first, in the clear, then ChangeCipherSpec and a Finished whose transcript holds the ticket", () => {
    const ticket = Uint8Array.of(4, 0, 0, 10, 0, 0, 0x1c, 0x20, 0, 4, 1, 2, 3, 4);
    const { records, transport } = after(throughClientFinished(), []);
    sendServerFinished12(records, keys(), ticket);
    expectSame(transport.written.map((r) => r[0]), [HANDSHAKE, CHANGE_CIPHER_SPEC, HANDSHAKE], "the record types");
    expectBytes(transport.written[0]!.slice(5), ticket, "the NewSessionTicket, in the clear");
    const verify = referencePrf("sha256", statedMaster(), "server finished", nodeSha256(...throughClientFinished(), ticket), 12);
    const k = keys();
    expectBytes(referenceOpen(k.keys.serverKey, k.salts.server, 0n, transport.written[2]!), concat(Uint8Array.of(20, 0, 0, 12), verify), "the Finished");
  });
});
