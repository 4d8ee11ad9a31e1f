// The Finished message: the first message each side protects with the new keys, and the proof that both saw the
// same handshake. Its verify_data is a PRF of the master secret over the hash of every handshake message so far,
// so a single byte changed on the way (a suite struck from the ClientHello, say) makes the two sides disagree.
// Read RFC 5246 §7.4.9 and §5 (the PRF).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, HandshakeType, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { readHandshake, writeHandshake } from "../00-bytes/index.js";
import type { HashName } from "../03-certificates/index.js";
import { prf } from "../04-rsa-key-exchange/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** RFC 5246 §7.4.9: verify_data_length is 12 bytes for every suite this project speaks. */
export const VERIFY_DATA_LENGTH = 12;
/** RFC 5246 §7.4.9: the labels each side puts into the PRF. */
export const LABEL_CLIENT_FINISHED = "client finished";
export const LABEL_SERVER_FINISHED = "server finished";
export type FinishedLabel = typeof LABEL_CLIENT_FINISHED | typeof LABEL_SERVER_FINISHED;

/**
 *   verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))[0..verify_data_length-1];
 *                                                                              RFC 5246 §7.4.9
 * `transcriptHash` is Hash(handshake_messages) with the suite's PRF hash: every handshake message this side sent
 * or received before this Finished, headers included, in order (no record headers, no ChangeCipherSpec).
 */
export function verifyData(hash: HashName, master: Uint8Array, label: FinishedLabel, transcriptHash: Uint8Array): Uint8Array {
  // TODO 06.3: verify_data is one call to your chapter 04 PRF: secret master, the label as given, seed
  // transcriptHash, 12 bytes. (RFC 5246 §7.4.9)
  throw new NotImplemented("06.3");
  // END 06.3
}

/** Compares two byte strings in time that depends on their length only, not on where they first differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Checks the peer's verify_data against the one we computed from our own transcript.
 * A mismatch is decrypt_error: "a handshake cryptographic operation failed, including being unable to
 * correctly verify a signature or validate a Finished message" (RFC 5246 §7.2.2).
 */
export function checkVerifyData(expected: Uint8Array, received: Uint8Array, who: string): void {
  // TODO 06.3: check the peer's verify_data: compare with constantTimeEqual (an early exit at the first wrong
  // byte would tell an attacker how many leading bytes of a forgery were right); a mismatch is a TlsError
  // decrypt_error, field "verify_data", that names `who` and shows both values in hex. (RFC 5246 §7.4.9, §7.2.2)
  throw new NotImplemented("06.3");
  // END 06.3
}

/**
 *   struct {
 *       opaque verify_data[verify_data_length];
 *   } Finished;                                            RFC 5246 §7.4.9
 * A fixed-size field, so no length prefix: the handshake header's length is all the framing there is.
 */
export function writeFinishedBody(w: ByteWriter, verify: Uint8Array): void {
  if (verify.length !== VERIFY_DATA_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `verify_data of ${verify.length} bytes, expected ${VERIFY_DATA_LENGTH}`, {
      field: "verify_data",
    });
  }
  w.bytes(verify, "verify_data");
}

/** Reads a Finished body: exactly 12 bytes of verify_data, anything else is decode_error. */
export function readFinishedBody(r: ByteReader): Uint8Array {
  const verify = r.bytes(VERIFY_DATA_LENGTH, "verify_data");
  r.end("finished");
  return verify;
}

/** The whole Finished handshake message (header and body), with notes. */
export function finishedMessage(verify: Uint8Array): ByteWriter {
  const w = new ByteWriter();
  writeHandshake(w, HandshakeType.finished, (body) => writeFinishedBody(body, verify));
  return w;
}

/** The Finished message's bytes, for the record layer and the transcript. */
export function encodeFinished(verify: Uint8Array): Uint8Array {
  return finishedMessage(verify).toBytes();
}

/** Decodes a whole Finished message (header and body) to its verify_data. */
export function decodeFinished(message: Uint8Array): Uint8Array {
  const r = new ByteReader(message);
  const headerAt = r.offset;
  const { type, body } = readHandshake(r);
  if (type !== HandshakeType.finished) {
    throw new TlsError(AlertDescription.unexpected_message, `expected finished (20), got ${describeCode(HandshakeType, type, 2)}`, {
      field: "handshake type",
      offset: headerAt,
    });
  }
  const verify = readFinishedBody(body);
  r.end("finished message");
  return verify;
}
