// The client's key exchange in a TLS 1.2 handshake, steps of the client's script (handshake.ts): the premaster secret
// sent as ClientKeyExchange (RSA-encrypted, or our (EC)DH public value), then the master secret, the key block and
// the key log line. Graded on their own against recorded connections and the key logs their servers wrote. Read RFC
// 5246 §7.4.7 and §8.1, RFC 7627 §4 (the extended master secret) and the NSS key log format
// (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, RANDOM_LENGTH } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { makeKeyPair } from "../01-client-hello/index.js";
import {
  MASTER_SECRET_LENGTH,
  encodeClientKeyExchangeRsa,
  extendedMasterSecret,
  keyBlock,
  keyBlockParams,
  makeRsaPremaster,
  masterSecret,
  rsaEncryptPkcs1v15,
} from "../04-rsa-key-exchange/index.js";
import { dhKeyPair, dhPremaster, ecdhePremaster, encodeClientKeyExchangeDh, encodeClientKeyExchangeEcdh } from "../05-dhe-key-exchange/index.js";
import type { FixedHandshake12, Tls12Secrets } from "./handshake.js";
import { type KeyLogTarget, writeKeyLog } from "./shared.js";
import type { Hello12 } from "./hellos.js";
import type { Tls12RecordLayer } from "./record-layer.js";
import type { ServerFlight12 } from "./server-flight.js";
import { NotImplemented } from "../../lib/errors.js";

/**
 * ClientKeyExchange (after our Certificate, if the server asked for one: sendClientCertificate12, 06.16): the premaster secret
 * encrypted to the server's RSA key (chapter 04) or agreed by (EC)DH (chapter 05). Returns the premaster secret.
 * `fixed` replaces the random values (tests replaying a recording).
 */
export function sendClientKeyExchange12(records: Tls12RecordLayer, hello: Hello12, flight: ServerFlight12, fixed?: FixedHandshake12): Uint8Array {
  // TODO 06.9: RSA's premaster starts with the version WE offered (clientHello.legacyVersion), not the server's.
  // 1. (Our Certificate, if the server asked, went out before this step: 06.16.)
  // 2. RSA (no ServerKeyExchange): premaster = makeRsaPremaster(clientHello.legacyVersion, fixed?.random);
  //    ClientKeyExchange = encodeClientKeyExchangeRsa(rsaEncryptPkcs1v15(serverKey, premaster)).
  // 3. DHE (flight.dh): pair = dhKeyPair(p, g, fixed?.random); premaster = dhPremaster(pair.privateKey, ys, p);
  //    encodeClientKeyExchangeDh(pair.publicKey).
  // 4. ECDHE: pair = fixed?.keyPair ?? makeKeyPair(namedCurve); premaster = ecdhePremaster(namedCurve, our private
  //    key, the server's point); encodeClientKeyExchangeEcdh(pair.publicKey).
  // 5. records.sendHandshake(the ClientKeyExchange); return the premaster.
  throw new NotImplemented("06.9");
  // END 06.9
}

/**
 * The master secret and the keys (RFC 5246 §8.1, §6.3). With RFC 7627 the master secret hashes the whole handshake
 * so far, so an attacker in the middle cannot make two connections share one (the triple handshake attack).
 */
export function establishKeys12(records: Tls12RecordLayer, hello: Hello12, premaster: Uint8Array, keyLog?: KeyLogTarget): Tls12Secrets {
  // TODO 06.10: the session hash is the transcript RIGHT AFTER our ClientKeyExchange: no later, no earlier.
  // 1. With the extended master secret: sessionHash = records.transcript.hash(hello.hash), and
  //    master = extendedMasterSecret(hash, premaster, sessionHash) (RFC 7627 §4).
  //    Without: master = masterSecret(hash, premaster, client random, server random) (RFC 5246 §8.1).
  // 2. keys = keyBlock(hash, master, client random, server random, keyBlockParams(hello.cipherSuite)).
  // 3. writeKeyLog(keyLog, keyLogLine(client random, master)), now.
  // 4. Return the Tls12Secrets (the randoms, premaster, master, extendedMasterSecret, sessionHash, keys).
  throw new NotImplemented("06.10");
  // END 06.10
}

/**
 * The NSS key log line for a TLS 1.2 connection: "CLIENT_RANDOM <client random> <master secret>", both in hex.
 * With it, Wireshark (or anyone) can decrypt a capture of the connection: that is the power of the master secret.
 */
export function keyLogLine(clientRandom: Uint8Array, master: Uint8Array): string {
  // TODO 06.10: the NSS key log line: the label CLIENT_RANDOM, a space, the 32-byte client random as 64 lowercase
  // hex digits, a space, the 48-byte master secret as 96 hex digits; no newline. Wrong lengths are our own bug
  // (internal_error). The client random is how a tool finds the connection in a capture; the master secret is all it
  // needs then.
  throw new NotImplemented("06.10");
  // END 06.10
}
