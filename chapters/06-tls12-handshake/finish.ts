// The end of a TLS 1.2 handshake, the last steps of the client's script (handshake.ts): our ChangeCipherSpec and
// Finished, then the server's. Graded on their own against recorded connections. Read RFC 5246 §7.1
// (ChangeCipherSpec) and §7.4.9 (Finished).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, HandshakeType } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { LABEL_CLIENT_FINISHED, LABEL_SERVER_FINISHED, checkVerifyData, decodeFinished, encodeFinished, verifyData } from "./finished.js";
import type { Tls12Secrets } from "./handshake.js";
import { expectMessage } from "./shared.js";
import type { Hello12 } from "./hellos.js";
import type { Tls12RecordLayer } from "./record-layer.js";
import { directionState } from "./record-protection.js";
import { NotImplemented } from "../../lib/errors.js";

/** Our ChangeCipherSpec, then our Finished: the first record under our keys, over everything so far. */
export function sendClientFinished12(records: Tls12RecordLayer, hello: Hello12, secrets: Tls12Secrets): void {
  // TODO 06.11: ChangeCipherSpec FIRST: it switches our keys on, and the Finished is the first record they protect.
  // 1. records.sendChangeCipherSpec(directionState(keys.clientKey, keys.clientIv)).
  // 2. records.sendHandshake(encodeFinished(verifyData(hash, master, LABEL_CLIENT_FINISHED, records.transcript.hash(hash)))).
  throw new NotImplemented("06.11");
  // END 06.11
}

/** The server's ChangeCipherSpec and Finished. A match proves the server has the keys and saw our messages. */
export async function readServerFinished12(records: Tls12RecordLayer, hello: Hello12, secrets: Tls12Secrets): Promise<void> {
  // TODO 06.12: compute the server's expected verify_data BEFORE reading its Finished: it covers ours, not its own.
  // 1. expected = verifyData(hash, master, LABEL_SERVER_FINISHED, records.transcript.hash(hash)).
  // 2. await records.readChangeCipherSpec(directionState(keys.serverKey, keys.serverIv)).
  // 3. checkVerifyData(expected, decodeFinished(expectMessage(await records.readHandshake(), finished)), "the server").
  // 4. Bytes of another handshake message after it (records.handshakePending): unexpected_message.
  throw new NotImplemented("06.12");
  // END 06.12
}
