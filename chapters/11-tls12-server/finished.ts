// The end of a TLS 1.2 handshake from the server's side: the client's ChangeCipherSpec and Finished, checked; the
// server's own ChangeCipherSpec and Finished (and before them, a NewSessionTicket when it issues one). In a full
// handshake the client finishes first; in an abbreviated one the server does. Chapter 06's Finished and record layer
// do the work, with the labels and directions swapped. Read RFC 5246 §7.1, §7.3 (both flows), §7.4.9 and RFC 5077 §3.3.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, HandshakeType } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import type { HashName } from "../03-certificates/index.js";
import {
  LABEL_CLIENT_FINISHED,
  LABEL_SERVER_FINISHED,
  type Tls12RecordLayer,
  checkVerifyData,
  decodeFinished,
  encodeFinished,
  expectMessage,
  verifyData,
} from "../06-tls12-handshake/index.js";
import type { SessionKeys12 } from "./record-protection.js";
import { NotImplemented } from "../../lib/errors.js";

/** What both Finished messages need: the PRF's hash, the master secret, and the record protection of each direction. */
export interface FinishedKeys12 extends SessionKeys12 {
  hash: HashName;
  master: Uint8Array;
}

/** Reads the client's ChangeCipherSpec and Finished and checks it against our transcript (RFC 5246 §7.4.9). */
export async function readClientFinished12(records: Tls12RecordLayer, keys: FinishedKeys12): Promise<void> {
  // TODO 11.10: compute the client's verify_data FIRST: verifyData(hash, master, LABEL_CLIENT_FINISHED,
  // records.transcript.hash(hash)) covers every handshake message so far, not the Finished that is about to arrive.
  // Then records.readChangeCipherSpec(keys.client): from here the client's records open under its keys. The next
  // message must be a Finished (expectMessage); checkVerifyData(expected, decodeFinished(it), "the client") (chapter
  // 06: constant time, decrypt_error). Bytes of another handshake message after it (records.handshakePending):
  // unexpected_message. With a wrong premaster (an RSA ClientKeyExchange whose padding was bad, say) the keys are
  // wrong and the Finished record does not even open: bad_record_mac, from the record layer, the same as any forgery.
  throw new NotImplemented("11.10");
  // END 11.10
}

/** Sends [NewSessionTicket], ChangeCipherSpec and the server's Finished. `ticket` is a whole NewSessionTicket message. */
export function sendServerFinished12(records: Tls12RecordLayer, keys: FinishedKeys12, ticket?: Uint8Array): void {
  // TODO 11.11: (1) the ticket, if any, goes first, still under the old keys: RFC 5077 §3.3 puts NewSessionTicket
  // before ChangeCipherSpec, and it joins the transcript (records.sendHandshake does both). (2)
  // records.sendChangeCipherSpec(keys.server): our records are protected from here. (3) Our Finished:
  // encodeFinished(verifyData(hash, master, LABEL_SERVER_FINISHED, the transcript hash now)). In a full handshake that
  // transcript holds the client's Finished; in an abbreviated one, the client's Finished comes after ours.
  throw new NotImplemented("11.11");
  // END 11.11
}
