// The key exchange from the server's side. For DHE and ECDHE the server makes a fresh key pair, sends its public
// value in a ServerKeyExchange and signs it with the certificate's key, over both randoms; the client's answer is its
// own public value. For RSA key exchange there is no ServerKeyExchange: the client encrypts the premaster to the
// certificate's key and the server decrypts it, with chapter 04's implicit rejection. Chapter 05's codecs and
// arithmetic serve both sides. Read RFC 5246 §7.4.3 and §7.4.7, RFC 8422 §5.4 and §5.7, RFC 7919 §4 and §5.1, and
// RFC 5246 §7.4.7.1 once more: what a server must NOT say when the padding is wrong.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { ByteWriter } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { type KeyPair, makeKeyPair } from "../01-client-hello/index.js";
import { bigIntToBytes, bitLength, bytesToBigInt } from "../03-certificates/index.js";
import { decodeClientKeyExchangeRsa, decryptPremaster } from "../04-rsa-key-exchange/index.js";
import {
  type DhKeyPair,
  ECCurveType,
  FFDHE_GENERATOR,
  FFDHE_GROUPS,
  type ServerKeyExchange,
  decodeClientKeyExchangeDh,
  decodeClientKeyExchangeEcdh,
  dhKeyPair,
  dhPremaster,
  ecdhePremaster,
  writeServerDhParams,
  writeServerEcdhParams,
} from "../05-dhe-key-exchange/index.js";
import type { Choice12 } from "./client-hello.js";
import type { FixedServer12 } from "./config.js";
import { signWithScheme } from "./sign.js";
import { NotImplemented } from "../../lib/errors.js";

/** The server's half of an ephemeral exchange: what it keeps until the ClientKeyExchange arrives. */
export type Ephemeral12 = { kind: "dhe"; group: number; p: bigint; pair: DhKeyPair } | { kind: "ecdhe"; keyPair: KeyPair };

function ourBug(message: string, field: string): TlsError {
  return new TlsError(AlertDescription.internal_error, message, { field });
}

/**
 * A fresh key pair in the chosen group and the ServerKeyExchange that carries its public value, signed over
 * client_random + server_random + params (RFC 5246 §7.4.3). `fixed` replaces the random key pairs and salt (tests).
 */
export function makeServerKeyExchange(
  choice: Choice12,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  fixed?: FixedServer12,
): { ske: ServerKeyExchange; ephemeral: Ephemeral12 } {
  // TODO 11.7: DHE: p = FFDHE_GROUPS.get(choice.group) (chapter 05), g = FFDHE_GENERATOR; the pair is fixed's
  // dhKeyPair or chapter 05's dhKeyPair(p, g), the client's own function: the exchange is symmetric. The params are
  // { p, g, ys } as big-endian bytes: p in ⌈bits/8⌉ bytes, g in 1, ys = the pair's public value. ECDHE: the pair is
  // fixed's keyPair or makeKeyPair(choice.group) (chapter 01); params { curveType: named_curve, namedCurve: the
  // group, point: the public key }. RSA, or no group or scheme: internal_error (this step is not for them). Write
  // the params with chapter 05's writeServerDhParams / writeServerEcdhParams into their own ByteWriter: paramsBytes is
  // exactly what goes on the wire, and exactly what is signed, after the randoms: signWithScheme(choice.credential,
  // choice.scheme, clientRandom || serverRandom || paramsBytes, fixed?.pssSalt) (11.6). Return the
  // ServerKeyExchange { kind, params, paramsBytes, scheme, signature } and the ephemeral state.
  throw new NotImplemented("11.7");
  // END 11.7
}

/**
 * The premaster secret from the client's ClientKeyExchange (the whole handshake message). RSA: never throws for a bad
 * ciphertext; the failure shows only at the Finished, like any other (RFC 5246 §7.4.7.1).
 */
export function premasterFromClientKeyExchange(message: Uint8Array, choice: Choice12, ephemeral: Ephemeral12 | undefined): Uint8Array {
  // TODO 11.8: RSA: decodeClientKeyExchangeRsa(message) (chapter 04: a badly framed message is decode_error, which
  // says nothing about the secret), then decryptPremaster(our RSA key, the ciphertext, the version of the CLIENTHELLO,
  // choice.clientHello.legacyVersion): 48 bytes whether the padding was right or not, and NO exception, NO different
  // path: nothing the server does next may depend on it. DHE: Yc = decodeClientKeyExchangeDh(message) as a number;
  // dhPremaster(our private exponent, Yc, p) (chapter 05 refuses Yc outside 2 … p−2: illegal_parameter). ECDHE:
  // ecdhePremaster(the curve, our private key, decodeClientKeyExchangeEcdh(message)) (chapter 05 refuses bad points).
  // A key exchange without its ephemeral state (or RSA without an RSA key) is our own bug: internal_error.
  throw new NotImplemented("11.8");
  // END 11.8
}
