// Shared by chapter 11's test files: the server's configuration with the fixture certificates, the recorded
// connection's server (its key and certificate) and the choice it made, a server-side record layer over a scripted
// client, and Node's own ChaCha20-Poly1305 for TLS 1.2 records (RFC 7905), written here without the chapters' code.
import crypto from "node:crypto";
import { AlertDescription, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { type ClientHello, decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { type RecordTransport, Tls12RecordLayer, directionState } from "../../chapters/06-tls12-handshake/index.js";
import { type ServerCredential, readServerCredential } from "../../chapters/10-tls13-server/index.js";
import type { Choice12, FinishedKeys12, Tls12ServerConfig } from "../../chapters/11-tls12-server/index.js";
import { ByteReader } from "../../lib/bytes.js";
import { readHandshake, readRecordHeader } from "../../solutions/00-bytes/index.js";
import { readServerHelloBody } from "../../solutions/02-server-hello/index.js";
import { readCertificateBody } from "../../solutions/03-certificates/index.js";
import { readServerKeyExchange } from "../../solutions/05-dhe-key-exchange/index.js";
import { type Structure, annotateWith } from "../support/expect-bytes.js";
import { readFixture } from "../support/fixtures.js";
import { referenceGcmKeys } from "../support/tls12-oracle.js";
import { RECORDED_SUITE, recordedMessage, serverCertificatePem, serverKeyPem } from "./vectors.js";

export { scriptedClient } from "../10-tls13-server/helpers.js";

export const HANDSHAKE = 22;
export const APPLICATION_DATA = 23;
export const ALERT = 21;
export const CHANGE_CIPHER_SPEC = 20;
export const FATAL = 2;

/** The fixture credentials: ECDSA P-256 first, then RSA-2048 (tests/fixtures/make-certs.sh). */
export const ecdsaCredential = () => readServerCredential(readFixture("server-ecdsa.crt"), readFixture("server-ecdsa.key"), "server-ecdsa.crt");
export const rsaCredential = () => readServerCredential(readFixture("server-rsa.crt"), readFixture("server-rsa.key"), "server-rsa.crt");
export const fixtureCredentials = (): ServerCredential[] => [ecdsaCredential(), rsaCredential()];

/** The recorded server of tls12.xargs.org: its certificate and RSA key. */
export const illustratedCredential = () => readServerCredential(serverCertificatePem(), serverKeyPem(), "illustrated-tls12 server.crt");

/** A server configuration with the fixture certificates and `overrides`. */
export function testConfig12(overrides: Partial<Tls12ServerConfig> = {}): Tls12ServerConfig {
  return { credentials: fixtureCredentials(), ...overrides };
}

/**
 * The choice the recorded server made for the recorded ClientHello, written out by hand from its ServerHello and
 * ServerKeyExchange: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, x25519, rsa_pkcs1_sha256, no extended master secret (the
 * client did not offer it), renegotiation_info answered (the client sent it), no ALPN.
 */
export function illustratedChoice(): Choice12 {
  const message = recordedMessage("clienthello");
  const clientHello: ClientHello = decodeClientHello(message);
  return {
    clientHello,
    message,
    cipherSuite: RECORDED_SUITE,
    keyExchange: "ECDHE",
    group: NamedGroup.x25519,
    credential: illustratedCredential(),
    scheme: SignatureScheme.rsa_pkcs1_sha256,
    hash: "SHA-256",
    extendedMasterSecret: false,
    secureRenegotiation: true,
    serverName: "example.ulfheim.net",
  };
}

/** A server's record layer over `transport` (chapter 06's, side "server"). */
export const serverRecords = (transport: RecordTransport) => new Tls12RecordLayer(transport, undefined, "server");

/**
 * The FinishedKeys12 of an AES-128-GCM connection with this master secret and these randoms, cut by Node's PRF
 * (tests/support/tls12-oracle.ts) and wrapped in chapter 06's directionState: so a test of the Finished steps depends
 * on none of chapter 11's key derivation.
 */
export function oracleFinishedKeys(master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): FinishedKeys12 & { salts: { client: Uint8Array; server: Uint8Array } } {
  const k = referenceGcmKeys("sha256", master, clientRandom, serverRandom, 16);
  const empty = new Uint8Array(0);
  return {
    hash: "SHA-256",
    master,
    keys: { clientMacKey: empty, serverMacKey: empty, clientKey: k.clientKey, serverKey: k.serverKey, clientIv: k.clientSalt, serverIv: k.serverSalt },
    client: directionState(k.clientKey, k.clientSalt),
    server: directionState(k.serverKey, k.serverSalt),
    salts: { client: k.clientSalt, server: k.serverSalt },
  };
}

/** RFC 7905 §2 with Node's ChaCha20-Poly1305: the nonce is the 12-byte IV XOR the sequence number (left-padded). */
export function nodeChaChaNonce(iv: Uint8Array, sequence: bigint): Buffer {
  const nonce = Buffer.from(iv);
  const seq = Buffer.alloc(8);
  seq.writeBigUInt64BE(sequence);
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seq[i]!;
  return nonce;
}

/** seq_num + type + version + length (RFC 5246 §6.2.3.3). */
function nodeAad(sequence: bigint, type: number, length: number): Buffer {
  const ad = Buffer.alloc(13);
  ad.writeBigUInt64BE(sequence, 0);
  ad[8] = type;
  ad.writeUInt16BE(0x0303, 9);
  ad.writeUInt16BE(length, 11);
  return ad;
}

/** A whole ChaCha20-Poly1305 record sealed by Node. */
export function nodeChaChaSeal(key: Uint8Array, iv: Uint8Array, sequence: bigint, type: number, plaintext: Uint8Array): Uint8Array {
  const cipher = crypto.createCipheriv("chacha20-poly1305", key, nodeChaChaNonce(iv, sequence), { authTagLength: 16 });
  cipher.setAAD(nodeAad(sequence, type, plaintext.length), { plaintextLength: plaintext.length });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return new Uint8Array(Buffer.concat([Buffer.from([type, 3, 3, body.length >> 8, body.length & 0xff]), body]));
}

/** Opens a whole ChaCha20-Poly1305 record with Node; throws if it does not authenticate. */
export function nodeChaChaOpen(key: Uint8Array, iv: Uint8Array, sequence: bigint, record: Uint8Array): Uint8Array {
  const body = record.subarray(5);
  const decipher = crypto.createDecipheriv("chacha20-poly1305", key, nodeChaChaNonce(iv, sequence), { authTagLength: 16 });
  decipher.setAAD(nodeAad(sequence, record[0]!, body.length - 16), { plaintextLength: body.length - 16 });
  decipher.setAuthTag(body.subarray(body.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]));
}

/** SHA-256 with Node, for transcript hashes computed outside the chapters. */
export const nodeSha256 = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(crypto.createHash("sha256").update(Buffer.concat(parts)).digest());

/** The alert at the end of what a server wrote: the last record must be a plaintext alert (2 bytes: level, description). */
export function lastAlert(written: readonly Uint8Array[]): { level: number; description: number } | undefined {
  const last = written[written.length - 1];
  if (last === undefined || last[0] !== ALERT || last.length !== 7) return undefined;
  return { level: last[5]!, description: last[6]! };
}

export const Alert = AlertDescription;

/** Reads one handshake message with the REFERENCE decoders, only to name the field where expected bytes differ. */
function readServerMessage(r: ByteReader, kind: "dhe" | "ecdhe"): void {
  const { type, body } = readHandshake(r);
  if (type === 2) readServerHelloBody(body);
  else if (type === 11) readCertificateBody(body, 0x0303);
  else if (type === 12) readServerKeyExchange(body, kind);
  else body.bytes(body.remaining, "body");
  body.end("handshake body");
}

/** Names the fields of a server's handshake message (`record`: with its 5-byte record header in front). */
export function serverMessageStructure(record: boolean, kind: "dhe" | "ecdhe" = "ecdhe"): Structure {
  return (bytes) =>
    annotateWith(bytes, (r) => {
      if (record) readRecordHeader(r);
      readServerMessage(r, kind);
    });
}
