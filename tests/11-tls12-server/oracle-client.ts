// A TLS 1.2 client written for the tests on Node's crypto alone (RSA encryption, X25519/P-256/finite-field DH, the PRF,
// AES-GCM): it shares no code with the chapters, so what the learner's server must agree with comes from outside. It is
// driven step by step, so a test can change any message on the way: the ClientHello (laid out by hand from RFC 5246
// §7.4.1.2), the server's flight read and checked (its ServerKeyExchange signature verified by Node), the
// ClientKeyExchange (with a premaster the test may choose, or a ciphertext it crafts), ChangeCipherSpec and Finished,
// the server's Finished checked, application data both ways. Full and abbreviated handshakes (RFC 5246 §7.3).
import crypto from "node:crypto";
import * as net from "node:net";
import { CipherSuite, ExtensionType, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import { splitRecords } from "../support/replay-transport.js";
import { type NodeHash, referenceGcmKeys, referenceOpen, referencePrf, referenceSeal } from "../support/tls12-oracle.js";

const u8 = (n: number) => [n & 0xff];
const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const vec = (size: 1 | 2 | 3, body: ArrayLike<number>) => [...(size === 1 ? u8 : size === 2 ? u16 : u24)(body.length), ...Array.from(body)];
const cat = (...parts: ArrayLike<number>[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const record = (type: number, fragment: Uint8Array) => cat([type, 3, 3], u16(fragment.length), fragment);
const handshake = (type: number, body: ArrayLike<number>) => cat([type], u24(body.length), body);

export const CCS_RECORD = Uint8Array.of(20, 3, 3, 0, 1, 1);
/** Content types (RFC 5246 §6.2.1) and the ServerHelloDone's handshake type (§7.4), as the conversation below reads them. */
const CHANGE_CIPHER_SPEC = 20;
const ALERT = 21;
const HANDSHAKE = 22;
const SERVER_HELLO_DONE = 14;

/** What the oracle client offers. */
export interface OracleOffer {
  cipherSuites: number[];
  /** Offer the extended master secret (default true). */
  ems?: boolean;
  sessionId?: Uint8Array;
  /** The SessionTicket extension's data (undefined: no extension; empty: "I take tickets"). */
  ticket?: Uint8Array;
  serverName?: string;
  groups?: number[];
  signatureSchemes?: number[];
  /** Extra extensions, raw: [type, data]. */
  extensions?: [number, Uint8Array][];
  /** renegotiation_info's renegotiated_connection (default empty: a first handshake). */
  renegotiatedConnection?: Uint8Array;
  /** The client random (default: fresh). */
  random?: Uint8Array;
  /** The legacy_version (default 0x0303). */
  version?: number;
}

/** A handshake message the server sent, and the record type and protection it came in. */
export interface Parsed {
  type: number;
  message: Uint8Array;
}

/** Handshake messages out of plaintext handshake records (stops at the first record of another type). */
export function messagesOf(records: readonly Uint8Array[]): Uint8Array[] {
  let buffer: Uint8Array = new Uint8Array(0);
  for (const r of records) {
    if (r[0] !== 22) break;
    buffer = cat(buffer, r.subarray(5));
  }
  const out: Uint8Array[] = [];
  for (let at = 0; at + 4 <= buffer.length; ) {
    const length = (buffer[at + 1]! << 16) | (buffer[at + 2]! << 8) | buffer[at + 3]!;
    out.push(buffer.slice(at, at + 4 + length));
    at += 4 + length;
  }
  return out;
}

const GCM_256 = new Set<number>([CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]);

export class OracleClient {
  readonly random: Uint8Array;
  readonly transcript: Uint8Array[] = [];
  serverRandom: Uint8Array = new Uint8Array(0);
  suite = 0;
  sessionId: Uint8Array = new Uint8Array(0);
  extendedMasterSecret = false;
  serverExtensions = new Map<number, Uint8Array>();
  certificate?: crypto.X509Certificate;
  serverKeyExchange?: { curve?: number; point?: Uint8Array; p?: Buffer; g?: Buffer; ys?: Buffer; scheme: number; signatureOk: boolean };
  master: Uint8Array = new Uint8Array(0);
  premaster: Uint8Array = new Uint8Array(0);
  keys?: ReturnType<typeof referenceGcmKeys>;
  /** Records sent and received under the keys so far. */
  private sent = 0n;
  private received = 0n;

  constructor(readonly offer: OracleOffer) {
    this.random = offer.random ?? new Uint8Array(crypto.randomBytes(32));
  }

  get hash(): NodeHash {
    return GCM_256.has(this.suite) ? "sha384" : "sha256";
  }

  private digest(...parts: Uint8Array[]): Uint8Array {
    return new Uint8Array(crypto.createHash(this.hash).update(Buffer.concat(parts)).digest());
  }

  /** The ClientHello message (RFC 5246 §7.4.1.2), by hand. */
  clientHelloMessage(): Uint8Array {
    const o = this.offer;
    const ext = (type: number, data: ArrayLike<number>) => [...u16(type), ...vec(2, data)];
    const name = Buffer.from(o.serverName ?? "localhost", "latin1");
    const extensions = [
      ...ext(ExtensionType.server_name, vec(2, [0, ...vec(2, name)])),
      ...ext(ExtensionType.supported_groups, vec(2, (o.groups ?? [NamedGroup.x25519, NamedGroup.secp256r1]).flatMap(u16))),
      ...ext(ExtensionType.ec_point_formats, vec(1, [0])),
      ...ext(
        ExtensionType.signature_algorithms,
        vec(2, (o.signatureSchemes ?? [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pkcs1_sha256]).flatMap(u16)),
      ),
      ...ext(ExtensionType.renegotiation_info, vec(1, o.renegotiatedConnection ?? [])),
      ...(o.ems === false ? [] : ext(ExtensionType.extended_master_secret, [])),
      ...(o.ticket === undefined ? [] : ext(ExtensionType.session_ticket, o.ticket)),
      ...(o.extensions ?? []).flatMap(([type, data]) => ext(type, data)),
    ];
    const body = [...u16(o.version ?? 0x0303), ...this.random, ...vec(1, o.sessionId ?? []), ...vec(2, o.cipherSuites.flatMap(u16)), ...vec(1, [0]), ...vec(2, extensions)];
    return handshake(1, body);
  }

  /** The ClientHello record; the message joins the transcript. */
  hello(): Uint8Array {
    const message = this.clientHelloMessage();
    this.transcript.push(message);
    return record(22, message);
  }

  /** Reads the ServerHello (and, for a full handshake, the rest of the flight through ServerHelloDone). */
  readServerHello(message: Uint8Array): void {
    this.transcript.push(message);
    let at = 4 + 2;
    this.serverRandom = message.slice(at, at + 32);
    at += 32;
    this.sessionId = message.slice(at + 1, at + 1 + message[at]!);
    at += 1 + message[at]!;
    this.suite = (message[at]! << 8) | message[at + 1]!;
    at += 3;
    const end = at + 2 + ((message[at]! << 8) | message[at + 1]!);
    for (at += 2; at < end; ) {
      const type = (message[at]! << 8) | message[at + 1]!;
      const length = (message[at + 2]! << 8) | message[at + 3]!;
      this.serverExtensions.set(type, message.slice(at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.extendedMasterSecret = this.serverExtensions.has(ExtensionType.extended_master_secret);
  }

  /** Reads a full handshake's first flight from the server's records. */
  readFlight(records: readonly Uint8Array[]): void {
    const messages = messagesOf(records);
    this.readServerHello(messages[0]!);
    for (const m of messages.slice(1)) {
      this.transcript.push(m);
      if (m[0] === 11) {
        const length = (m[7]! << 16) | (m[8]! << 8) | m[9]!;
        this.certificate = new crypto.X509Certificate(Buffer.from(m.subarray(10, 10 + length)));
      } else if (m[0] === 12) this.readServerKeyExchange(m);
    }
  }

  private readServerKeyExchange(m: Uint8Array): void {
    let at = 4;
    const start = at;
    const out: NonNullable<OracleClient["serverKeyExchange"]> = { scheme: 0, signatureOk: false };
    if (m[at] === 3) {
      out.curve = (m[at + 1]! << 8) | m[at + 2]!;
      out.point = m.slice(at + 4, at + 4 + m[at + 3]!);
      at += 4 + m[at + 3]!;
    } else {
      const take = () => {
        const n = (m[at]! << 8) | m[at + 1]!;
        const v = Buffer.from(m.subarray(at + 2, at + 2 + n));
        at += 2 + n;
        return v;
      };
      out.p = take();
      out.g = take();
      out.ys = take();
    }
    const params = m.subarray(start, at);
    out.scheme = (m[at]! << 8) | m[at + 1]!;
    const signature = m.subarray(at + 4, at + 4 + ((m[at + 2]! << 8) | m[at + 3]!));
    const signed = Buffer.concat([this.random, this.serverRandom, params]);
    const hash = { 0x0401: "sha256", 0x0501: "sha384", 0x0601: "sha512", 0x0804: "sha256", 0x0805: "sha384", 0x0806: "sha512", 0x0403: "sha256", 0x0503: "sha384" }[out.scheme];
    if (hash !== undefined && this.certificate !== undefined) {
      const pss = out.scheme >= 0x0804;
      const key = { key: this.certificate.publicKey, ...(pss ? { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST } : {}), dsaEncoding: "der" as const };
      out.signatureOk = crypto.verify(hash, signed, key, signature);
    }
    this.serverKeyExchange = out;
  }

  /**
   * The ClientKeyExchange record. RSA: `rsa` may give the premaster (default 03 03 and 46 random bytes) or the whole
   * ciphertext to send (then the premaster the client believes in is `premaster`). (EC)DHE: our key pair and Node's secret.
   */
  keyExchange(rsa: { premaster?: Uint8Array; ciphertext?: Uint8Array } = {}): Uint8Array {
    let body: number[];
    const ske = this.serverKeyExchange;
    if (ske === undefined) {
      this.premaster = rsa.premaster ?? cat([3, 3], crypto.randomBytes(46));
      const ciphertext = rsa.ciphertext ?? crypto.publicEncrypt({ key: this.certificate!.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, this.premaster);
      body = vec(2, ciphertext);
    } else if (ske.curve === NamedGroup.x25519) {
      const pair = crypto.generateKeyPairSync("x25519");
      const peer = crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(ske.point!).toString("base64url") }, format: "jwk" });
      this.premaster = new Uint8Array(crypto.diffieHellman({ privateKey: pair.privateKey, publicKey: peer }));
      body = vec(1, Buffer.from((pair.publicKey.export({ format: "jwk" }) as { x: string }).x, "base64url"));
    } else if (ske.curve === NamedGroup.secp256r1) {
      const ecdh = crypto.createECDH("prime256v1");
      ecdh.generateKeys();
      this.premaster = new Uint8Array(ecdh.computeSecret(Buffer.from(ske.point!)));
      body = vec(1, ecdh.getPublicKey());
    } else {
      const dh = crypto.createDiffieHellman(ske.p!, ske.g!);
      dh.generateKeys();
      const z = dh.computeSecret(ske.ys!);
      let start = 0;
      while (z[start] === 0) start++;
      this.premaster = new Uint8Array(z.subarray(start)); // RFC 5246 §8.1.2: leading zeros stripped
      body = vec(2, dh.getPublicKey());
    }
    const message = handshake(16, body);
    this.transcript.push(message);
    this.deriveFromPremaster();
    return record(22, message);
  }

  /** The master secret (RFC 5246 §8.1 or RFC 7627 §4) and the GCM keys. */
  deriveFromPremaster(): void {
    this.master = this.extendedMasterSecret
      ? referencePrf(this.hash, this.premaster, "extended master secret", this.digest(...this.transcript), 48)
      : referencePrf(this.hash, this.premaster, "master secret", cat(this.random, this.serverRandom), 48);
    this.deriveKeys();
  }

  /** The GCM keys from the master secret and both randoms (also for a resumed session). */
  deriveKeys(master = this.master): void {
    this.master = master;
    this.keys = referenceGcmKeys(this.hash, master, this.random, this.serverRandom, GCM_256.has(this.suite) ? 32 : 16);
  }

  /** verify_data over the transcript so far (RFC 5246 §7.4.9). */
  verifyData(label: "client finished" | "server finished"): Uint8Array {
    return referencePrf(this.hash, this.master, label, this.digest(...this.transcript), 12);
  }

  /** ChangeCipherSpec and our Finished (sealed as record 0); `verify` replaces the right verify_data. */
  finish(verify = this.verifyData("client finished")): Uint8Array {
    const message = cat([20, 0, 0, 12], verify);
    this.transcript.push(message);
    return cat(CCS_RECORD, this.seal(22, message));
  }

  /** Seals one record under our keys (the next sequence number). */
  seal(type: number, content: Uint8Array): Uint8Array {
    return referenceSeal(this.keys!.clientKey, this.keys!.clientSalt, this.sent++, type, content);
  }

  /** Opens one of the server's protected records. */
  open(rec: Uint8Array): Uint8Array {
    return referenceOpen(this.keys!.serverKey, this.keys!.serverSalt, this.received++, rec);
  }

  /**
   * Reads the server's end of the handshake from its records: [NewSessionTicket], ChangeCipherSpec, Finished. Returns
   * the ticket (if any) and whether the Finished was right; the Finished joins the transcript.
   */
  readServerFinish(records: readonly Uint8Array[]): { ticket?: Uint8Array; finishedOk: boolean } {
    let i = 0;
    let ticket: Uint8Array | undefined;
    if (records[i]?.[0] === 22) {
      const nst = records[i++]!.slice(5);
      this.transcript.push(nst);
      ticket = nst.slice(10);
    }
    if (records[i]?.[0] !== 20) return { ticket, finishedOk: false };
    i++;
    const expected = cat([20, 0, 0, 12], this.verifyData("server finished"));
    const finished = this.open(records[i]!);
    this.transcript.push(finished);
    return { ...(ticket === undefined ? {} : { ticket }), finishedOk: Buffer.from(finished).equals(Buffer.from(expected)) };
  }
}

/** Whole records out of a byte stream (a partial record at the end is left out). */
export function recordsOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 5 <= bytes.length) {
    const end = at + 5 + ((bytes[at + 3]! << 8) | bytes[at + 4]!);
    if (end > bytes.length) break;
    out.push(bytes.slice(at, end));
    at = end;
  }
  return out;
}

/**
 * Plain TCP: sends the client's ClientHello (or `first`), waits for the server's flight up to ServerHelloDone, sends
 * what `answer` makes of it, and collects everything until the server closes, sends an alert, or finishes.
 */
export function converse(port: number, client: OracleClient, answer: (flight: Uint8Array[]) => Uint8Array | null, first?: Uint8Array): Promise<{ flight: Uint8Array[]; rest: Uint8Array[]; bytes: Uint8Array }> {
  return new Promise((resolve) => {
    let received: Uint8Array = new Uint8Array(0);
    let flightLength = -1;
    const socket: net.Socket = net.connect({ host: "127.0.0.1", port }, () => socket.write(first ?? client.hello()));
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const all = recordsOf(received);
      const cut = flightLength < 0 ? all.length : flightLength;
      resolve({ flight: all.slice(0, cut), rest: all.slice(cut), bytes: received });
    };
    const timer = setTimeout(finish, 3000);
    socket.on("data", (chunk: Buffer) => {
      received = cat(received, chunk);
      const all = recordsOf(received);
      if (flightLength < 0 && messagesOf(all).some((m) => m[0] === SERVER_HELLO_DONE)) {
        flightLength = all.length;
        const reply = answer(all);
        if (reply !== null) socket.write(reply);
      }
      const rest = flightLength < 0 ? all : all.slice(flightLength);
      const ended = rest.some((r) => r[0] === ALERT) || (rest.some((r) => r[0] === CHANGE_CIPHER_SPEC) && rest[rest.length - 1]?.[0] === HANDSHAKE);
      if (ended) finish();
    });
    socket.on("end", finish);
    socket.on("error", () => {});
  });
}

/** An RSA EncryptedPreMasterSecret made by hand: EM laid out by the test, raised to e by Node (no padding added). */
export function rawRsa(client: OracleClient, em: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.publicEncrypt({ key: client.certificate!.publicKey, padding: crypto.constants.RSA_NO_PADDING }, em));
}

/** EM = 00 02 PS 00 M for a 2048-bit key; `separatorAt` moves the 00 (then M is not 48 bytes). */
export function block(message: Uint8Array, options: { type?: number; separatorAt?: number } = {}): Uint8Array {
  const em = new Uint8Array(256);
  em[1] = options.type ?? 2;
  for (let i = 2; i < 256; i++) em[i] = 1 + (crypto.randomBytes(1)[0]! % 255);
  em.set(message, 256 - message.length);
  em[options.separatorAt ?? 256 - message.length - 1] = 0;
  return em;
}

export { splitRecords };
