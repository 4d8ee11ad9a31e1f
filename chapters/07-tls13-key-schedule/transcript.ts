// The transcript hash: the hash of every handshake message so far, in order, exactly as the bytes went over the
// wire. Every secret after the ServerHello and both Finished messages depend on it, so both sides must hash the
// very same bytes. Read RFC 8446 §4.4.1 (the transcript hash and the HelloRetryRequest special case).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, HANDSHAKE_HEADER_LENGTH, HandshakeType, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { HASH_LENGTH, type HashName, digest } from "../03-certificates/index.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 * The message that stands in for ClientHello1 once the server has answered with a HelloRetryRequest
 * (RFC 8446 §4.4.1):
 *
 *   Transcript-Hash(ClientHello1, HelloRetryRequest, ... Mn) =
 *       Hash(message_hash ||         (handshake type 254)
 *            00 00 Hash.length ||    (uint24 length: the body is one hash)
 *            Hash(ClientHello1) ||   (the hash of the whole first ClientHello)
 *            HelloRetryRequest || ... || Mn)
 *
 * It is shaped like a handshake message (type 254, a 3-byte length, a body) so that the transcript stays a list of
 * messages. Why bother? A server that sends a HelloRetryRequest may keep no state at all: it puts Hash(ClientHello1)
 * into the cookie extension and, when the second ClientHello brings the cookie back, rebuilds the transcript from
 * the hash alone.
 */
export function messageHash(hash: HashName, clientHello1: Uint8Array): Uint8Array {
  // TODO 07.2: four bytes of header: HandshakeType.message_hash (254), then the length HASH_LENGTH[hash] as a
  // 3-byte big-endian number (00 00 20 for SHA-256, 00 00 30 for SHA-384); then digest(hash, clientHello1), the
  // hash of the whole first ClientHello with its own 4-byte header. (RFC 8446 §4.4.1)
  throw new NotImplemented("07.2");
  // END 07.2
}

/**
 * The running transcript of one connection, for one hash (the suite's: SHA-256 or SHA-384).
 *
 * It keeps the messages themselves, not a running hash state: hashing a few kilobytes again for each secret costs
 * microseconds, and the list is what makes the HelloRetryRequest restart possible at any point and easy to see.
 * (A production stack keeps a running hash and copies its state for each intermediate value.)
 */
export class TranscriptHash {
  /** The messages added so far, in order, each a whole handshake message with its 4-byte header. */
  private readonly messages: Uint8Array[] = [];

  constructor(readonly hashName: HashName) {}

  /**
   * Adds one handshake message: its 4-byte header (msg_type, uint24 length) and its body, AS SENT. Never re-encode
   * a decoded message to add it: a peer may order extensions differently or send some we do not know, and one byte
   * of difference breaks the Finished check.
   */
  add(message: Uint8Array): void {
    // TODO 07.2: check that `message` is exactly one whole handshake message: at least HANDSHAKE_HEADER_LENGTH
    // (4) bytes, and the uint24 in bytes 1–3 equals message.length − 4. Anything else (a record with its 5-byte
    // header, a fragment, two messages at once) is a bug in the caller: TlsError internal_error, field "transcript".
    // Then keep a COPY of it (message.slice()), so a caller that reuses its buffer cannot change the transcript.
    // (RFC 8446 §4.4.1)
    throw new NotImplemented("07.2");
    // END 07.2
  }

  /** Transcript-Hash(M1, M2, … Mn) = Hash(M1 || M2 || … || Mn) over everything added so far (RFC 8446 §4.4.1). */
  hash(): Uint8Array {
    // TODO 07.2: the hash (this.hashName) of all the messages so far, concatenated in the order they were added.
    // Asking must not change anything: hash() is called again and again as the handshake goes on. With no
    // messages, it is the hash of nothing. (RFC 8446 §4.4.1)
    throw new NotImplemented("07.2");
    // END 07.2
  }

  /**
   * After a HelloRetryRequest: ClientHello1 gives way to the message_hash message (RFC 8446 §4.4.1). Call it once
   * the HelloRetryRequest has arrived, before or after adding it; the messages after ClientHello1 stay where they are.
   */
  restartAfterHelloRetry(): void {
    // TODO 07.2: the first message added must be a ClientHello (type 1): if there is none, or it is something
    // else (say a message_hash, because this was already called once), that is our bug: TlsError internal_error,
    // field "transcript". Replace it, in its place, by messageHash(this.hashName, that ClientHello).
    // (RFC 8446 §4.4.1)
    throw new NotImplemented("07.2");
    // END 07.2
  }
}
