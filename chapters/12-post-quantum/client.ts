// The client's side of a hybrid key share: a key pair whose public half is ML-KEM-768 encapsulation key and ECDH share
// together, the shared secret from the server's answer, and the offer browsers send today (the hybrid share first,
// a plain X25519 share beside it for servers that do not speak ML-KEM yet). The handshake itself is chapter 08's.
// Read draft-ietf-tls-ecdhe-mlkem §3 and RFC 8446 §4.2.8 (key_share), §4.1.4 (HelloRetryRequest).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, NamedGroup } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { concat } from "../../lib/hex.js";
import { type ClientExtension, DEFAULT_GROUPS, type KeyPair, makeKeyPair } from "../01-client-hello/index.js";
import { ecdhePremaster } from "../05-dhe-key-exchange/index.js";
import type { RecordTransport } from "../06-tls12-handshake/index.js";
import { type ClientHelloOffer, type Tls13Connection, type Tls13Options, connectTls13, newClientHello13 } from "../08-tls13-handshake/index.js";
import { combineSecrets, hybridLayout, isHybrid, joinShare, splitShare } from "./hybrid.js";
import { MLKEM768, mlkemDecapsulate, mlkemKeyGen } from "./kem.js";
import { NotImplemented } from "../../lib/errors.js";

/** What a client offers by default with this chapter: X25519MLKEM768 first, then chapter 01's groups. */
export const PQ_GROUPS: readonly number[] = [NamedGroup.X25519MLKEM768, ...DEFAULT_GROUPS];
/** The shares it sends right away, as Chrome and Firefox do: the hybrid one, and X25519 alone beside it. */
export const PQ_KEY_SHARES: readonly number[] = [NamedGroup.X25519MLKEM768, NamedGroup.x25519];

/** Fixed randomness for known-answer tests: ML-KEM's keygen seed (d ‖ z) and the ECDH key pair. Never in real use. */
export interface FixedHybridKeys {
  seed?: Uint8Array;
  ecdh?: KeyPair;
}

/** Our private key for a hybrid group: the ML-KEM decapsulation key (2400 bytes), then the ECDH private key. */
export function splitPrivateKey(privateKey: Uint8Array): { decapsulationKey: Uint8Array; ecdhPrivate: Uint8Array } {
  if (privateKey.length <= MLKEM768.decapsulationKey) {
    throw new TlsError(AlertDescription.internal_error, `a hybrid private key is longer than ${MLKEM768.decapsulationKey} bytes, got ${privateKey.length}`, {
      field: "private key",
    });
  }
  return { decapsulationKey: privateKey.slice(0, MLKEM768.decapsulationKey), ecdhPrivate: privateKey.slice(MLKEM768.decapsulationKey) };
}

/**
 * A fresh key pair for a hybrid group (draft-ietf-tls-ecdhe-mlkem §3.1). publicKey is the key_share: encapsulation key
 * and ECDH share laid out by joinShare; privateKey is decapsulation key ‖ ECDH private key (splitPrivateKey). The pair
 * finishes its own exchange (sharedSecret), which chapter 08's establishHandshakeKeys calls instead of ECDHE.
 */
export function makeHybridKeyPair(group: number, fixed: FixedHybridKeys = {}): KeyPair {
  // TODO 12.3: two key generations side by side. 1. kem = mlkemKeyGen(fixed.seed) (kem.ts). 2. ecdh = fixed.ecdh or
  // chapter 01's makeKeyPair(the layout's ecdhGroup). 3. publicKey = joinShare(group, "client", { mlkem: the encapsulation
  // key, ecdh: ecdh's public key }) (12.1); privateKey = decapsulation key ‖ ecdh's private key. 4. Return { group,
  // publicKey, privateKey, sharedSecret: (serverShare) => hybridClientSecret(group, privateKey, serverShare) }.
  throw new NotImplemented("12.3");
  // END 12.3
}

/** A key pair for any group we offer: a hybrid one here, an ECDHE one from chapter 01 (HelloRetryRequests use it). */
export function makeAnyKeyPair(group: number): KeyPair {
  return isHybrid(group) ? makeHybridKeyPair(group) : makeKeyPair(group);
}

/**
 * The client's shared secret from the server's hybrid share (draft-ietf-tls-ecdhe-mlkem §3.2–§3.3): decapsulate the
 * ciphertext, do the ECDH with the server's public value, combine in the group's order.
 */
export function hybridClientSecret(group: number, privateKey: Uint8Array, serverShare: Uint8Array): Uint8Array {
  // TODO 12.4: 1. { mlkem: ciphertext, ecdh: server's public value } = splitShare(group, "server", serverShare)
  // (a wrong size is illegal_parameter there). 2. { decapsulationKey, ecdhPrivate } = splitPrivateKey(privateKey).
  // 3. mlkem = mlkemDecapsulate(ciphertext, decapsulationKey); ecdh = chapter 05's ecdhePremaster(the layout's
  // ecdhGroup, ecdhPrivate, the server's public value) — it makes the checks RFC 8446 §4.2.8.2 and §7.4.2 ask for
  // (X25519's all-zero secret, a P-256 point off the curve: illegal_parameter). 4. combineSecrets(group, both) (12.2).
  throw new NotImplemented("12.4");
  // END 12.4
}

/** Chapter 08's TLS 1.3 ClientHello, the default base of hybridOffer. */
const tls13Hello = (options: Tls13Options): ClientHelloOffer => newClientHello13({ ...options, offer: undefined });

/**
 * The first ClientHello with hybrid shares (Tls13Options.offer, chapter 08), built around `base`: chapter 08's hello,
 * for TLS 1.3 alone or for both versions (08.19). supported_groups `options.groups`
 * (default PQ_GROUPS) and key shares for `options.keyShareGroups` (default: those of PQ_KEY_SHARES that are offered,
 * else the first group), in supported_groups' order. `base` makes the rest of the hello; a HelloRetryRequest's new
 * pair comes from makeAnyKeyPair.
 */
export function hybridOffer(options: Tls13Options, base: (options: Tls13Options) => ClientHelloOffer = tls13Hello): ClientHelloOffer {
  // TODO 12.6: 1. groups = options.groups ?? PQ_GROUPS; shareGroups = options.keyShareGroups ?? the PQ_KEY_SHARES
  // that groups lists (none of them: its first group, as chapter 01 does). 2. made = base({ ...options, groups,
  // keyShareGroups: the shareGroups that are NOT hybrid }): chapter 08's hello, with chapter 01's pairs for those.
  // 3. One makeHybridKeyPair per hybrid group of shareGroups. 4. keyPairs = every pair, in the order `groups` lists
  // their groups (RFC 8446 §4.2.8: the shares "MUST appear in the same order" as supported_groups; tlslite-ng refuses
  // a hello that breaks it); replace the hello's key_share extension by { kind: "key_share", shares: their { group,
  // keyExchange: publicKey } } in that order. 5. Return { clientHello, keyPairs, makeKeyPair: makeAnyKeyPair } so
  // that a HelloRetryRequest for a hybrid group gets a hybrid share.
  throw new NotImplemented("12.6");
  // END 12.6
}

/** Chapter 08's TLS 1.3 client with this chapter's offer: the handshake is the same script, step for step. */
export function connectPq(transport: RecordTransport, options: Tls13Options): Promise<Tls13Connection> {
  return connectTls13(transport, { ...options, offer: hybridOffer });
}
