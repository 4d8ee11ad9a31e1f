// A HelloRetryRequest that leaves the server with nothing to remember. The server puts what it will need when the
// second ClientHello comes (the hash of the first, its choice, what may not change) into the cookie extension,
// sealed with a key only it knows; the client must send the cookie back unchanged, and the server rebuilds
// everything from it. Read RFC 8446 §4.1.4 (HelloRetryRequest), §4.2.2 (cookie), §4.1.2 (what the second
// ClientHello may change) and §4.4.1 (the transcript after a retry).
import { gcm } from "@noble/ciphers/aes.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import {
  AlertDescription,
  CompressionMethod,
  ExtensionType,
  HELLO_RETRY_REQUEST_RANDOM,
  HandshakeType,
  NamedGroup,
  ProtocolVersion,
  describeCode,
} from "../../lib/constants.js";
import { TlsError, illegalParameter, isTlsError } from "../../lib/errors.js";
import { concat, equalBytes } from "../../lib/hex.js";
import { readOpaque, readUint, writeOpaque, writeUint } from "../00-bytes/index.js";
import { type ClientHello, encodeClientHello, extensionType, findExtension } from "../01-client-hello/index.js";
import type { ServerHello } from "../02-server-hello/index.js";
import { HASH_LENGTH, type HashName, digest } from "../03-certificates/index.js";
import { suiteHash } from "../07-tls13-key-schedule/index.js";

/** The cookie key: AES-256-GCM (RFC 5116 §5.2). One per server process, never sent anywhere. */
export const COOKIE_KEY_LENGTH = 32;
/** A fresh 96-bit nonce for every cookie (RFC 5116 §3.2), sent in front of the ciphertext. */
export const COOKIE_NONCE_LENGTH = 12;
/** How long a cookie stays good: a real client answers a HelloRetryRequest within one round trip. */
export const COOKIE_LIFETIME_MS = 60_000;
/** Additional data of the cookie AEAD: a cookie can never be mistaken for a ticket sealed under the same key. */
const COOKIE_LABEL = Uint8Array.from("tls-by-hand cookie", (c) => c.charCodeAt(0));

/** What the server needs again when the second ClientHello brings the cookie back. */
export interface CookieState {
  /** The suite and group the HelloRetryRequest named. */
  cipherSuite: number;
  group: number;
  /** Hash(ClientHello1): message_hash carries it in place of ClientHello1 (RFC 8446 §4.4.1). */
  clientHello1Hash: Uint8Array;
  /** The hash of helloInvariant(ClientHello1): what the second ClientHello must repeat exactly (§4.1.2). */
  invariantHash: Uint8Array;
  /** When the HelloRetryRequest was made, in ms since 1970. */
  issuedAt: number;
}

/** The state as bytes: suite, group, issuedAt (uint32 seconds, uint16 ms), then the two hashes with a 1-byte length. */
export function encodeCookieState(state: CookieState): Uint8Array {
  const w = new ByteWriter();
  writeUint(w, state.cipherSuite, 2, "cipher_suite");
  writeUint(w, state.group, 2, `group: ${describeCode(NamedGroup, state.group)}`);
  writeUint(w, Math.floor(state.issuedAt / 1000), 4, "issued at (seconds)");
  writeUint(w, state.issuedAt % 1000, 2, "issued at (milliseconds)");
  writeOpaque(w, 1, state.clientHello1Hash, "Hash(ClientHello1)");
  writeOpaque(w, 1, state.invariantHash, "Hash(what ClientHello2 must repeat)");
  return w.toBytes();
}

export function decodeCookieState(bytes: Uint8Array): CookieState {
  const r = new ByteReader(bytes);
  const cipherSuite = readUint(r, 2, "cipher_suite");
  const group = readUint(r, 2, "group");
  const issuedAt = readUint(r, 4, "issued at (seconds)") * 1000 + readUint(r, 2, "issued at (milliseconds)");
  const clientHello1Hash = readOpaque(r, 1, "Hash(ClientHello1)");
  const invariantHash = readOpaque(r, 1, "Hash(what ClientHello2 must repeat)");
  r.end("cookie");
  return { cipherSuite, group, clientHello1Hash, invariantHash, issuedAt };
}

/** Seals the state into a cookie: nonce || AES-256-GCM(key, nonce, state) with its tag. */
export function sealCookie(key: Uint8Array, state: CookieState, random: (n: number) => Uint8Array = randomBytes): Uint8Array {
  // EXERCISE 10.2: a key that is not COOKIE_KEY_LENGTH bytes is our bug (internal_error, field "cookie key"). Take a
  // fresh nonce = random(COOKIE_NONCE_LENGTH), encrypt encodeCookieState(state) with gcm(key, nonce, COOKIE_LABEL)
  // (noble: .encrypt gives ciphertext || 16-byte tag) and return nonce || that. Encrypted, so the client learns
  // nothing; authenticated, so it cannot hand back a cookie the server did not make (RFC 8446 §4.2.2).
  if (key.length !== COOKIE_KEY_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `the cookie key is ${COOKIE_KEY_LENGTH} bytes, got ${key.length}`, { field: "cookie key" });
  }
  const nonce = random(COOKIE_NONCE_LENGTH);
  return concat(nonce, gcm(key, nonce, COOKIE_LABEL).encrypt(encodeCookieState(state)));
  // END 10.2
}

/** Opens a cookie the client sent back; anything but an intact, fresh cookie of ours is illegal_parameter. */
export function openCookie(key: Uint8Array, cookie: Uint8Array, now: number): CookieState {
  // EXERCISE 10.2: the reverse: the first COOKIE_NONCE_LENGTH bytes are the nonce, the rest goes to gcm(key, nonce,
  // COOKIE_LABEL).decrypt, which throws if a single bit was changed; then decodeCookieState. Any failure (too short,
  // does not authenticate, does not decode) is illegal_parameter, field "cookie": the client changed or invented it.
  // A cookie older than COOKIE_LIFETIME_MS (or from the future) is illegal_parameter too.
  let state: CookieState;
  try {
    if (cookie.length <= COOKIE_NONCE_LENGTH) throw new Error("too short");
    const nonce = cookie.subarray(0, COOKIE_NONCE_LENGTH);
    state = decodeCookieState(gcm(key, nonce, COOKIE_LABEL).decrypt(cookie.subarray(COOKIE_NONCE_LENGTH)));
  } catch (e) {
    if (isTlsError(e) && e.alertName === "internal_error") throw e;
    throw illegalParameter("cookie", "the cookie is not one this server made, or it was changed (RFC 8446 §4.2.2)");
  }
  const age = now - state.issuedAt;
  if (age < 0 || age > COOKIE_LIFETIME_MS) throw illegalParameter("cookie", `the cookie is ${age} ms old; it is good for ${COOKIE_LIFETIME_MS} ms`);
  return state;
  // END 10.2
}

/**
 * The extensions a second ClientHello may change, add or drop (RFC 8446 §4.1.2): key_share (one share in the group
 * asked for), early_data (removed), cookie (added), pre_shared_key (new ages and binders), padding (any length).
 */
export const RETRY_MAY_CHANGE: readonly number[] = [
  ExtensionType.key_share,
  ExtensionType.early_data,
  ExtensionType.cookie,
  ExtensionType.pre_shared_key,
  ExtensionType.padding,
];

/** The HelloRetryRequest: a ServerHello with the special random, naming the group it wants, and the cookie. */
export function helloRetryRequest(ch: ClientHello, cipherSuite: number, group: number, cookie: Uint8Array): ServerHello {
  // EXERCISE 10.3: legacy_version 0x0303, random HELLO_RETRY_REQUEST_RANDOM (a copy), the client's session id echoed,
  // the suite, compression 0, and the extensions in this order: key_share { selectedGroup }, cookie, supported_versions
  // { selectedVersion 0x0304 } (RFC 8446 §4.1.4; RFC 8448 §5 prints one in this order).
  return {
    legacyVersion: ProtocolVersion.TLS1_2,
    random: HELLO_RETRY_REQUEST_RANDOM.slice(),
    legacySessionIdEcho: ch.legacySessionId,
    cipherSuite,
    legacyCompressionMethod: CompressionMethod.null,
    extensions: [
      { kind: "key_share", selectedGroup: group },
      { kind: "cookie", cookie },
      { kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_3 },
    ],
  };
  // END 10.3
}

/** The ClientHello without the extensions RETRY_MAY_CHANGE, encoded: what both ClientHellos must share byte for byte. */
export function helloInvariant(ch: ClientHello): Uint8Array {
  // EXERCISE 10.3: encodeClientHello of a copy of ch whose extensions leave out every type in RETRY_MAY_CHANGE (the
  // rest stay in their order). Random, session id, suites, compression and every other extension are all kept.
  return encodeClientHello({ ...ch, extensions: ch.extensions.filter((e) => !RETRY_MAY_CHANGE.includes(extensionType(e))) });
  // END 10.3
}

/** The hash a cookie keeps of helloInvariant(ClientHello1), with the hash of the suite the HelloRetryRequest named. */
export function invariantHash(hash: HashName, ch: ClientHello): Uint8Array {
  return digest(hash, helloInvariant(ch));
}

/** Checks a second ClientHello against what the cookie says about the first (RFC 8446 §4.1.2). */
export function checkSecondClientHello(ch2: ClientHello, state: CookieState): void {
  // EXERCISE 10.3: each failure is illegal_parameter naming the field. (1) key_share holds exactly one share, in
  // state.group (§4.2.8: "replace the list of shares with a list containing a single KeyShareEntry from the indicated
  // group"). (2) No early_data (§4.2.10: 0-RTT is over after a HelloRetryRequest). (3) invariantHash(suiteHash(state.
  // cipherSuite), ch2) equals state.invariantHash: anything else the client changed breaks §4.1.2 ("the client MUST
  // send the same ClientHello without modification, except as follows").
  const shares = findExtension(ch2.extensions, "key_share")?.shares ?? [];
  if (shares.length !== 1 || shares[0]!.group !== state.group) {
    const got = shares.map((s) => describeCode(NamedGroup, s.group)).join(", ") || "none";
    throw illegalParameter("key_share", `after a HelloRetryRequest for ${describeCode(NamedGroup, state.group)}, one share in that group; got ${got}`);
  }
  if (ch2.extensions.some((e) => extensionType(e) === ExtensionType.early_data)) {
    throw illegalParameter("early_data", "a second ClientHello must not offer early data (RFC 8446 §4.2.10)");
  }
  if (!equalBytes(invariantHash(suiteHash(state.cipherSuite), ch2), state.invariantHash)) {
    throw illegalParameter("client_hello", "the second ClientHello differs from the first beyond what RFC 8446 §4.1.2 allows");
  }
  // END 10.3
}

/**
 * The message that stands for ClientHello1 in the transcript after a retry (RFC 8446 §4.4.1), made from its hash alone:
 * handshake type message_hash (254), a 3-byte length, Hash(ClientHello1). Chapter 07's messageHash hashes the message
 * itself; a stateless server has only the hash, from the cookie.
 */
export function messageHashFromHash(hash: HashName, clientHello1Hash: Uint8Array): Uint8Array {
  if (clientHello1Hash.length !== HASH_LENGTH[hash]) {
    throw new TlsError(AlertDescription.internal_error, `a ${hash} hash is ${HASH_LENGTH[hash]} bytes, got ${clientHello1Hash.length}`, { field: "cookie" });
  }
  return concat(Uint8Array.of(HandshakeType.message_hash, 0, 0, clientHello1Hash.length), clientHello1Hash);
}
