// The messages of the server's flight, each made by one function from what the server chose: the ServerHello with
// the server's key share, EncryptedExtensions (the answers to the client's other extensions), the certificate the
// client's signature_algorithms allow and the CertificateVerify signed with its key, and Finished both ways. The
// codecs are chapters 02, 03 and 08's; the choices are new. Read RFC 8446 §4.1.3, §4.2.8, §4.3.1, §4.4.2–§4.4.4,
// RFC 7301 §3.1–3.2 (ALPN) and RFC 8449 §4 (record_size_limit).
import { randomBytes } from "@noble/hashes/utils.js";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, CompressionMethod, ExtensionType, MAX_PLAINTEXT_LENGTH, ProtocolVersion, SignatureScheme, describeCode } from "../../lib/constants.js";
import { TlsError, decodeError } from "../../lib/errors.js";
import { readList, readOpaque, writeUint } from "../00-bytes/index.js";
import { type ClientHello, type KeyPair, extensionType, findExtension, makeKeyPair } from "../01-client-hello/index.js";
import type { ServerChoice, ServerHello } from "../02-server-hello/index.js";
import { HASH_LENGTH, latin1 } from "../03-certificates/index.js";
import { ecdhePremaster, schemeInfo } from "../05-dhe-key-exchange/index.js";
import { checkVerifyData } from "../06-tls12-handshake/index.js";
import { type HandshakeSecrets, finishedVerifyData } from "../07-tls13-key-schedule/index.js";
import {
  CERTIFICATE_VERIFY_SCHEMES,
  type CertificateVerify,
  type EncryptedExtension,
  type EncryptedExtensions,
  certificateVerifyContent,
  decodeFinished13,
  encodeFinished13,
} from "../08-tls13-handshake/index.js";
import type { ServerCredential } from "./credentials.js";
import { signEcdsa, signRsaPss } from "./sign.js";

/** The server's half of the (EC)DHE exchange: its key pair and the shared secret. */
export interface ServerKeyShare {
  keyPair: KeyPair;
  sharedSecret: Uint8Array;
}

/** A fresh key pair in the chosen group, and the shared secret with the client's share in it (RFC 8446 §4.2.8, §7.4). */
export function serverKeyShare(choice: ServerChoice, makePair: (group: number) => KeyPair = makeKeyPair): ServerKeyShare {
  // EXERCISE 10.5: choice.keyShare is the client's share in choice.group; without one (a HelloRetryRequest was due)
  // this is our bug: internal_error, field "key_share". keyPair = makePair(group) (chapter 01); sharedSecret =
  // chapter 05's ecdhePremaster(group, our private key, the client's key_exchange): it refuses a bad point with
  // illegal_parameter, which is the alert RFC 8446 §4.2.8.1–2 wants for a share that is not a valid point.
  const share = choice.keyShare;
  if (share === undefined || choice.group === undefined) {
    throw new TlsError(AlertDescription.internal_error, "no client key share in the chosen group", { field: "key_share" });
  }
  const keyPair = makePair(choice.group);
  return { keyPair, sharedSecret: ecdhePremaster(choice.group, keyPair.privateKey, share.keyExchange) };
  // END 10.5
}

/** The server's pre_shared_key extension: `uint16 selected_identity` (RFC 8446 §4.2.11), raw for chapter 02's codec. */
function selectedIdentityExtension(index: number): { kind: "raw"; type: number; data: Uint8Array } {
  const w = new ByteWriter();
  writeUint(w, index, 2, `selected_identity: ${index}`);
  return { kind: "raw", type: ExtensionType.pre_shared_key, data: w.toBytes() };
}

/**
 * The ServerHello (RFC 8446 §4.1.3). `selectedIdentity` is the index of the PSK the server accepted, if any.
 */
export function serverHello(ch: ClientHello, cipherSuite: number, keyPair: KeyPair, random: Uint8Array, selectedIdentity?: number): ServerHello {
  // EXERCISE 10.5: legacy_version 0x0303, `random`, the client's legacy_session_id echoed (middlebox compatibility,
  // §4.1.3), the suite, compression 0, and the extensions in this order (RFC 8448 §3 and §4 print them so):
  // pre_shared_key (selectedIdentityExtension above) only when a PSK was accepted; key_share with our ONE share
  // { group, keyExchange: our public key }; supported_versions { selectedVersion: 0x0304 }.
  return {
    legacyVersion: ProtocolVersion.TLS1_2,
    random,
    legacySessionIdEcho: ch.legacySessionId,
    cipherSuite,
    legacyCompressionMethod: CompressionMethod.null,
    extensions: [
      ...(selectedIdentity === undefined ? [] : [selectedIdentityExtension(selectedIdentity)]),
      { kind: "key_share", share: { group: keyPair.group, keyExchange: keyPair.publicKey } },
      { kind: "supported_versions", selectedVersion: ProtocolVersion.TLS1_3 },
    ],
  };
  // END 10.5
}

/** The protocols the client offers in application_layer_protocol_negotiation (RFC 7301 §3.1), or undefined. */
export function clientAlpn(ch: ClientHello): string[] | undefined {
  const ext = ch.extensions.find((e) => extensionType(e) === ExtensionType.application_layer_protocol_negotiation);
  if (ext === undefined || ext.kind !== "raw") return undefined;
  const r = new ByteReader(ext.data);
  const names = readList(r, 2, "protocol_name_list", (list) => {
    const at = list.offset;
    const name = readOpaque(list, 1, "protocol_name");
    if (name.length === 0) throw decodeError("protocol_name", at, "a protocol name must not be empty (<1..2^8-1>)");
    return latin1(name);
  });
  r.end("application_layer_protocol_negotiation");
  if (names.length === 0) throw decodeError("protocol_name_list", 0, "the list must not be empty (<2..2^16-1>)");
  return names;
}

/**
 * The application protocol for this connection (RFC 7301 §3.2): the first of the server's `alpn` that the client
 * offers; undefined when the client offers none (no ALPN); none in common is no_application_protocol.
 */
export function chooseAlpn(ch: ClientHello, alpn: readonly string[]): string | undefined {
  const offered = clientAlpn(ch);
  if (offered === undefined) return undefined;
  const protocol = alpn.find((p) => offered.includes(p));
  if (protocol === undefined) {
    throw new TlsError(AlertDescription.no_application_protocol, `the client offers ${offered.join(", ")}; this server speaks ${alpn.join(", ") || "none"}`, {
      field: "application_layer_protocol_negotiation",
    });
  }
  return protocol;
}

/** The record_size_limit this server announces: it takes full records, 2^14 bytes of content and the type byte. */
export const SERVER_RECORD_SIZE_LIMIT = MAX_PLAINTEXT_LENGTH + 1;

/**
 * The server's EncryptedExtensions (RFC 8446 §4.3.1): the answers to the client's extensions that set up no keys.
 * `groups` are the server's groups, best first; `alpn` the protocol chooseAlpn chose (undefined: none).
 */
export function encryptedExtensions(ch: ClientHello, groups: readonly number[], alpn: string | undefined, earlyDataAccepted: boolean): EncryptedExtensions {
  // EXERCISE 10.6: answer only what the client sent (§4.2: a server MUST NOT send an extension the client did not),
  // in this order (RFC 8448 §3 and §4 print it so): supported_groups { groups } if it sent supported_groups (§4.2.7:
  // the server's preferences, for next time); record_size_limit { SERVER_RECORD_SIZE_LIMIT } if it sent one (RFC 8449
  // §4); server_name (empty) if it sent one (RFC 6066 §3: "I used your name"); application_layer_protocol_negotiation
  // { protocol: alpn } when alpn is defined; early_data (empty) when earlyDataAccepted (§4.2.10: the client learns
  // here whether its 0-RTT data was read).
  const sent = new Set(ch.extensions.map(extensionType));
  const extensions: EncryptedExtension[] = [];
  if (sent.has(ExtensionType.supported_groups)) extensions.push({ kind: "supported_groups", groups: [...groups] });
  if (sent.has(ExtensionType.record_size_limit)) extensions.push({ kind: "record_size_limit", limit: SERVER_RECORD_SIZE_LIMIT });
  if (sent.has(ExtensionType.server_name)) extensions.push({ kind: "server_name" });
  if (alpn !== undefined) extensions.push({ kind: "application_layer_protocol_negotiation", protocol: alpn });
  if (earlyDataAccepted) extensions.push({ kind: "early_data" });
  return { extensions };
  // END 10.6
}

/** True when `credential`'s key can make a CertificateVerify with `scheme` (RFC 8446 §4.2.3). */
function canSign(credential: ServerCredential, scheme: number): boolean {
  const info = schemeInfo(scheme);
  const key = credential.privateKey;
  if (info?.kind === "rsa-pss") return key.kind === "rsa";
  if (info?.kind === "ecdsa") return key.kind === "ec" && key.curve === info.curve;
  return false;
}

/** The certificate to send and the scheme to sign with. */
export interface CertificateChoice {
  credential: ServerCredential;
  scheme: number;
}

/** Chooses a credential and a signature scheme the client accepts (RFC 8446 §4.4.2.2, §4.4.3). */
export function pickCertificate(ch: ClientHello, credentials: readonly ServerCredential[]): CertificateChoice {
  // EXERCISE 10.10: the client's signature_algorithms (missing: missing_extension, §9.2) lists the schemes it can
  // check. Walk OUR credentials in order and, for each, CERTIFICATE_VERIFY_SCHEMES in order (chapter 08: RSA-PSS with
  // an RSA key, ECDSA on the key's own curve; never PKCS #1 v1.5 in TLS 1.3); return the first scheme the client
  // offered that canSign (above) says the credential's key can make. None: handshake_failure, field
  // "signature_algorithms", naming what the client offered.
  const offered = findExtension(ch.extensions, "signature_algorithms")?.schemes;
  if (offered === undefined) {
    throw new TlsError(AlertDescription.missing_extension, "a certificate needs the client's signature_algorithms (RFC 8446 §9.2)", { field: "signature_algorithms" });
  }
  for (const credential of credentials) {
    const scheme = CERTIFICATE_VERIFY_SCHEMES.find((s) => offered.includes(s) && canSign(credential, s));
    if (scheme !== undefined) return { credential, scheme };
  }
  const names = offered.map((s) => describeCode(SignatureScheme, s)).join(", ");
  throw new TlsError(AlertDescription.handshake_failure, `no certificate of ours can sign with what the client accepts (${names})`, {
    field: "signature_algorithms",
  });
  // END 10.10
}

/** The server's CertificateVerify: its signature over the transcript up to its Certificate (RFC 8446 §4.4.3). */
export function signCertificateVerify(choice: CertificateChoice, transcriptHash: Uint8Array, pssSalt?: Uint8Array): CertificateVerify {
  // EXERCISE 10.10: content = chapter 08's certificateVerifyContent(transcriptHash, "server") (64 spaces, the
  // context string, 0, the hash). schemeInfo(choice.scheme) gives the hash. RSA: signRsaPss(key, hash, content, salt)
  // with a salt as long as the hash (RFC 8446 §4.2.3; pssSalt when a test gives one, else fresh random bytes). EC:
  // signEcdsa(curve, d, hash, content). Return { scheme, signature }.
  const info = schemeInfo(choice.scheme)!;
  const content = certificateVerifyContent(transcriptHash, "server");
  const key = choice.credential.privateKey;
  const signature =
    key.kind === "rsa"
      ? signRsaPss(key.key, info.hash, content, pssSalt ?? randomBytes(HASH_LENGTH[info.hash]))
      : signEcdsa(key.curve, key.d, info.hash, content);
  return { scheme: choice.scheme, signature };
  // END 10.10
}

/** The server's Finished (RFC 8446 §4.4.4): HMAC under its handshake traffic secret over the transcript so far. */
export function serverFinished(hs: HandshakeSecrets, transcriptHash: Uint8Array): Uint8Array {
  // EXERCISE 10.11: encodeFinished13(finishedVerifyData(hs.hash, hs.serverHandshakeTrafficSecret, transcriptHash)):
  // chapter 07 computes it, chapter 08 frames it. The transcript runs from the ClientHello to the CertificateVerify
  // (or to EncryptedExtensions when a PSK replaced the certificate).
  return encodeFinished13(finishedVerifyData(hs.hash, hs.serverHandshakeTrafficSecret, transcriptHash));
  // END 10.11
}

/** Checks the client's Finished against the transcript up to the server's Finished (and EndOfEarlyData, if sent). */
export function checkClientFinished(hs: HandshakeSecrets, transcriptHash: Uint8Array, message: Uint8Array): void {
  // EXERCISE 10.11: expected = finishedVerifyData(hs.hash, hs.clientHandshakeTrafficSecret, transcriptHash); the
  // received verify_data is decodeFinished13(message, HASH_LENGTH[hs.hash]) (chapter 08: a wrong length is
  // decode_error); compare with chapter 06's checkVerifyData(expected, received, "the client"): constant time,
  // decrypt_error when it differs (RFC 8446 §4.4.4). Until this passes, nothing the client sent is trusted.
  const expected = finishedVerifyData(hs.hash, hs.clientHandshakeTrafficSecret, transcriptHash);
  checkVerifyData(expected, decodeFinished13(message, HASH_LENGTH[hs.hash]), "the client");
  // END 10.11
}
