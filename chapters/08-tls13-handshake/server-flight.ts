// The server's flight of a TLS 1.3 handshake, as steps of the client's script (handshake.ts): the handshake keys from
// the ServerHello, then each encrypted message in turn (EncryptedExtensions, Certificate and CertificateVerify, the
// server's Finished) with the transcript and the keys it moves on. Each step is graded on its own against RFC 8448.
// Read RFC 8446 §2 (the flow), §4.3.1 (EncryptedExtensions), §4.4 (Certificate, CertificateVerify, Finished), §7.1
// (the key schedule) and §D.4 (middlebox compatibility).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, ExtensionType, HandshakeType, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { type ClientHello, extensionType, findExtension } from "../01-client-hello/index.js";
import { findServerExtension } from "../02-server-hello/index.js";
import { type Certificate, HASH_LENGTH, type HashName, type Validation, decodeCertificate, parseCertificates, validateChain } from "../03-certificates/index.js";
import { ecdhePremaster } from "../05-dhe-key-exchange/index.js";
import { type KeyLogTarget, checkVerifyData, expectMessage, writeKeyLog } from "../06-tls12-handshake/index.js";
import {
  type Aead13,
  type ApplicationSecrets,
  type EarlySecrets,
  type HandshakeSecrets,
  type TrafficKeys,
  applicationSecrets,
  earlySecrets,
  finishedVerifyData,
  handshakeSecrets,
  keyLogLines13,
  suiteAead,
  suiteHash,
  trafficKeys,
} from "../07-tls13-key-schedule/index.js";
import { type CertificateVerify, decodeCertificateVerify, signingKey, verifyCertificateVerify } from "./certificate-verify.js";
import { ENCRYPTED_EXTENSIONS_ALLOWED, type EncryptedExtensions, decodeEncryptedExtensions, encryptedExtensionType } from "./encrypted-extensions.js";
import type { Tls13Options } from "./handshake.js";
import { type Hellos, compatibilityMode } from "./hellos.js";
import { type CertificateRequest, decodeCertificateRequest, decodeFinished13 } from "./messages.js";
import { direction13 } from "./record-protection.js";
import type { Tls13RecordLayer } from "./record-layer.js";
import { NotImplemented } from "../../lib/errors.js";

/** The keys of both directions under one stage's traffic secrets. */
export interface KeyPairs13 {
  client: TrafficKeys;
  server: TrafficKeys;
}

/** What the ServerHello gives: the suite's hash and AEAD, the shared secret, the handshake secrets and keys. */
export interface HandshakeKeys {
  cipherSuite: number;
  hash: HashName;
  aead: Aead13;
  /** The group of the (EC)DHE exchange. */
  group: number;
  /** The (EC)DHE shared secret (RFC 8446 §7.4). */
  sharedSecret: Uint8Array;
  /** The first stage of the schedule: from the PSK (chapter 09), or from nothing. */
  early: EarlySecrets;
  secrets: HandshakeSecrets;
  keys: KeyPairs13;
}

/** What the server's Finished gives: the application secrets and keys. */
export interface ApplicationKeys {
  secrets: ApplicationSecrets;
  keys: KeyPairs13;
}

/** Who the server proved to be: its certificates, their validation, its signature; and whether it asked who WE are. */
export interface ServerAuthentication {
  certificateRequest?: CertificateRequest;
  /** The certificates the server sent, its own first. */
  serverCertificates: Certificate[];
  /** The validated path and every check made on it. */
  validation: Validation;
  certificateVerify: CertificateVerify;
}

/** Writes key log lines as soon as their secrets exist, so that a connection that fails later can still be decrypted. */
function logLines(keyLog: KeyLogTarget | undefined, lines: string[]): void {
  for (const line of lines) writeKeyLog(keyLog, line);
}

/**
 * The shared secret and the handshake secrets, from the ServerHello (RFC 8446 §7.1, §7.4); from here on both
 * directions are protected. `psk` is the resumption PSK when the server accepted one (chapter 09).
 */
export function establishHandshakeKeys(records: Tls13RecordLayer, hellos: Hellos, keyLog?: KeyLogTarget, psk?: Uint8Array): HandshakeKeys {
  // TODO 08.12: the handshake secrets hash exactly ClientHello…ServerHello: hellos.transcript as it is now.
  // 1. cipherSuite = hellos.negotiated.cipherSuite; hash = suiteHash(it), aead = suiteAead(it).
  // 2. The ServerHello's key_share (findServerExtension): none is missing_extension (we offer only (EC)DHE, §4.2.9);
  //    our key pair for its group: none is internal_error.
  // 3. sharedSecret = ecdhePremaster(group, pair.privateKey, share.keyExchange) (chapter 05; RFC 8446 §7.4), unless
  //    the pair brings its own way to finish (pair.sharedSecret, chapter 12's hybrid pairs): then that, on the share.
  // 4. early = earlySecrets(hash, psk); secrets = handshakeSecrets(early, sharedSecret, hellos.transcript.hash()).
  // 5. keys = { client, server }: trafficKeys(hash, aead, …) of each side's handshake traffic secret.
  // 6. writeKeyLog each of keyLogLines13(hellos.clientHello.random, secrets) to keyLog, now.
  // 7. Compatibility mode (compatibilityMode) and no ChangeCipherSpec sent yet: records.sendChangeCipherSpec() (§D.4).
  // 8. records.setReadKeys(direction13(aead, keys.server, "server handshake traffic")), then setWriteKeys with
  //    keys.client ("client handshake traffic"). Return the HandshakeKeys.
  throw new NotImplemented("08.12");
  // END 08.12
}

/** The first encrypted message: the server's answers to the rest of our extensions (RFC 8446 §4.3.1). */
export async function readServerParameters(records: Tls13RecordLayer, hellos: Hellos): Promise<EncryptedExtensions> {
  // TODO 08.13: every message goes into the transcript, EncryptedExtensions too: the signature covers it.
  // 1. message = expectMessage(await records.readHandshake(), HandshakeType.encrypted_extensions).
  // 2. ee = decodeEncryptedExtensions(message); checkEncryptedExtensions(hellos.clientHello, ee).
  // 3. hellos.transcript.add(message); return ee.
  throw new NotImplemented("08.13");
  // END 08.13
}

/**
 * The client's side of EncryptedExtensions: every entry must answer an extension the ClientHello sent (else
 * unsupported_extension), and one that may appear in EncryptedExtensions at all (else illegal_parameter). RFC 8446 §4.2.
 */
export function checkEncryptedExtensions(ch: ClientHello, ee: EncryptedExtensions): void {
  // TODO 08.13: for each entry, in order: its type (encryptedExtensionType) must be one the ClientHello sent
  // (extensionType of each of ch.extensions): else unsupported_extension, "a server may only answer" (RFC 8446 §4.2);
  // then it must be in ENCRYPTED_EXTENSIONS_ALLOWED: else illegal_parameter (a key_share here, say, would be a
  // ServerHello extension in the wrong message). Name the field "extensions" and say which extension it was.
  throw new NotImplemented("08.13");
  // END 08.13
}

/**
 * The server's Certificate and CertificateVerify (RFC 8446 §4.4.2, §4.4.3), and before them, if it came, its
 * CertificateRequest (§4.3.2): the certificates validated (chapter 03), the signature checked over the transcript.
 */
export async function readServerCertificate(
  records: Tls13RecordLayer,
  hellos: Hellos,
  options: Pick<Tls13Options, "ca" | "servername" | "at" | "fixed">,
): Promise<ServerAuthentication> {
  // TODO 08.14: check CertificateVerify against the transcript BEFORE adding it: it signs what came before it.
  // 1. message = await records.readHandshake(). A certificate_request? decodeCertificateRequest, add it, read the next.
  // 2. Certificate: expectMessage, decodeCertificate(…, ProtocolVersion.TLS1_3); a request context is illegal_parameter,
  //    an empty list decode_error (RFC 8446 §4.4.2, §4.4.2.4).
  // 3. serverCertificates = parseCertificates(each entry's certData); validation = options.fixed?.validate(…) or
  //    validateChain(…, { roots: options.ca, host: options.servername, at: options.at }). Add the Certificate.
  // 4. CertificateVerify: expectMessage, decodeCertificateVerify; verifyCertificateVerify(cv, signingKey(leaf),
  //    transcript.hash(), the schemes of our signature_algorithms). THEN add it. Return the ServerAuthentication.
  throw new NotImplemented("08.14");
  // END 08.14
}

/**
 * The server's Finished (RFC 8446 §4.4.4): an HMAC over the transcript with a key only the holder of the shared secret
 * has. Then the application secrets, and the server's application keys for what it sends next.
 */
export async function readServerFinished(records: Tls13RecordLayer, hellos: Hellos, keys: HandshakeKeys, keyLog?: KeyLogTarget): Promise<ApplicationKeys> {
  // TODO 08.15: the expected verify_data covers everything BEFORE the server's Finished; the application secrets
  // everything up to and WITH it.
  // 1. expected = finishedVerifyData(keys.hash, keys.secrets.serverHandshakeTrafficSecret, hellos.transcript.hash()).
  // 2. message = expectMessage(await records.readHandshake(), HandshakeType.finished);
  //    checkVerifyData(expected, decodeFinished13(message, HASH_LENGTH[keys.hash]), "the server") (chapter 06).
  // 3. Add it to the transcript; records.inHandshake = false (no more middlebox ChangeCipherSpecs).
  // 4. secrets = applicationSecrets(keys.secrets, transcript.hash()); keys of each side from its application secret.
  // 5. writeKeyLog each of keyLogLines13(hellos.clientHello.random, undefined, secrets) to keyLog.
  // 6. records.setReadKeys(direction13(aead, server keys, "server application traffic")). Leave OUR write keys alone:
  //    our Finished still goes under the handshake keys. Return { secrets, keys }.
  throw new NotImplemented("08.15");
  // END 08.15
}
