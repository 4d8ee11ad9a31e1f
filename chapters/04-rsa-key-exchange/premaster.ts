// The premaster secret of RSA key exchange: 48 bytes the client makes up on its own and sends to the server
// encrypted under the key in the server's certificate. Every session key is later derived from it (prf.ts).
// Read RFC 5246 §7.4.7.1 (RSA-Encrypted Premaster Secret Message) and §8.1 (computing the master secret).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { randomBytes } from "@noble/hashes/utils.js";
import { AlertDescription, ProtocolVersion } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { NotImplemented } from "../../lib/errors.js";

/** An RSA premaster secret is always 48 bytes (RFC 5246 §7.4.7.1). */
export const PREMASTER_LENGTH = 48;
/** Its first two bytes are a ProtocolVersion (uint16). */
export const PREMASTER_VERSION_LENGTH = 2;
/** The rest, 46 bytes, is fresh randomness from the client. */
export const PREMASTER_RANDOM_LENGTH = PREMASTER_LENGTH - PREMASTER_VERSION_LENGTH;

/**
 * A fresh RSA premaster secret:
 *
 *   struct {
 *       ProtocolVersion client_version;
 *       opaque random[46];
 *   } PreMasterSecret;                                   RFC 5246 §7.4.7.1
 *
 * `clientVersion` is the version the client put in its ClientHello (its legacy_version, 0x0303 for a TLS 1.2
 * client), NOT the version the server picked. `random` is the source of the 46 random bytes; tests pass their own.
 */
export function makeRsaPremaster(
  clientVersion: number = ProtocolVersion.TLS1_2,
  random: (n: number) => Uint8Array = randomBytes,
): Uint8Array {
  // TODO 04.1: return PREMASTER_LENGTH (48) bytes: clientVersion as a big-endian uint16, then exactly
  // PREMASTER_RANDOM_LENGTH (46) bytes from ONE call random(46). A clientVersion that is not an integer in
  // 0 … 0xffff, or a random source that returns a different number of bytes, is our own bug: TlsError
  // internal_error. (RFC 5246 §7.4.7.1)
  throw new NotImplemented("04.1");
  // END 04.1
}
