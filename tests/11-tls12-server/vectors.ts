// The recorded TLS 1.2 connection of https://tls12.xargs.org from the server's side (tests/vectors/illustrated-tls12,
// MIT; see SOURCES.md): the client's messages, the server's RSA key, certificate and ephemeral X25519 key, its random,
// and what it wrote. Keys are read from their PEM files with Node's crypto (JWK), never with the chapters' code; the
// messages are cut out of the record files by their headers. Nothing here uses chapter 11's code.
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { NamedGroup } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";

const DIR = fileURLToPath(new URL("../vectors/illustrated-tls12/", import.meta.url));
const RECORD_HEADER = 5;

/** One record file of the capture, whole (header included). */
export const capture = (name: string): Uint8Array => new Uint8Array(readFileSync(`${DIR}caps/${name}`));
/** The one handshake message a plaintext record file holds. */
export const recordedMessage = (name: string): Uint8Array => capture(name).slice(RECORD_HEADER);
export const illustratedText = (name: string): string => readFileSync(`${DIR}${name}`, "utf8");

/** The recorded ClientHello and the server's flight, each one whole record as the server wrote it. */
export const recordedFlight = () => ["serverhello", "servercert", "serverkeyexchange", "serverhellodone"].map(capture);

/** ClientHello.random and ServerHello.random: after the 4-byte header and the 2-byte version (RFC 5246 §7.4.1.2). */
export const clientRandom = () => recordedMessage("clienthello").slice(6, 38);
export const serverRandom = () => recordedMessage("serverhello").slice(6, 38);

/** The handshake messages in the order both Finished hash them, up to the ClientKeyExchange. */
export const transcriptUpToClientKeyExchange = () =>
  ["clienthello", "serverhello", "servercert", "serverkeyexchange", "serverhellodone", "clientkeyexchange"].map(recordedMessage);

/** The recorded Finished messages: the client's (16 bytes), the server's (its first 16; MAC and padding follow). */
export const clientFinishedMessage = () => capture("clientfinishedplain").slice(0, 16);
export const serverFinishedMessage = () => capture("serverfinishedplain").slice(0, 16);

const values = () => JSON.parse(illustratedText("values.json")) as { statedOnPage: { pre_master_secret: string; master_secret: string } };
/** The pre-master and master secrets the page states. */
export const statedPremaster = () => fromHex(values().statedOnPage.pre_master_secret);
export const statedMaster = () => fromHex(values().statedOnPage.master_secret);

/** The key block the page prints (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA). */
export function statedKeyBlock() {
  const k = JSON.parse(illustratedText("key-expansion.json")) as Record<string, string>;
  return {
    clientMacKey: fromHex(k["client MAC key"]!),
    serverMacKey: fromHex(k["server MAC key"]!),
    clientKey: fromHex(k["client write key"]!),
    serverKey: fromHex(k["server write key"]!),
    clientIv: fromHex(k["client write IV"]!),
    serverIv: fromHex(k["server write IV"]!),
  };
}

/** A raw X25519 key from a PEM file, through Node (JWK: d is the private key, x the public one). */
function x25519FromPem(file: string): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const jwk = crypto.createPrivateKey(illustratedText(`files/${file}`)).export({ format: "jwk" }) as { d: string; x: string };
  return { privateKey: new Uint8Array(Buffer.from(jwk.d, "base64url")), publicKey: new Uint8Array(Buffer.from(jwk.x, "base64url")) };
}

/** The server's ephemeral X25519 key pair, as chapter 01's KeyPair. */
export const serverEphemeral = () => ({ group: NamedGroup.x25519, ...x25519FromPem("server-ephemeral-private.key") });

/** The server's certificate (PEM) and RSA key (PEM, PKCS #1). */
export const serverCertificatePem = () => illustratedText("files/server.crt");
export const serverKeyPem = () => illustratedText("files/server.key");

/** TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: the recorded suite, which our server only ever writes messages for (no CBC records). */
export const RECORDED_SUITE = 0xc013;
