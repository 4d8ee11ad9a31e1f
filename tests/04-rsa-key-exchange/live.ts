// Chapter 04 against real TLS 1.2 peers on 127.0.0.1, both directions of RSA key exchange:
//  - our client side (04.1–04.3, 04.6–04.8): our ClientHello offering one RSA suite to Node's tls server and to
//    `openssl s_server`; we read the server's certificate with chapter 03, encrypt our premaster to its key, send
//    ClientKeyExchange, ChangeCipherSpec and a Finished. The server's key log then gives ITS master secret, which
//    must equal ours: only the right ciphertext, codec and PRF make that happen.
//  - the server side (04.3 decoding, 04.4, 04.5, 04.7): real clients (Node's tls.connect, `openssl s_client`) talk
//    to Node's server through a recording proxy; we decrypt their ClientKeyExchange with the server's private key,
//    and the master secret from that premaster must equal the one in the client's key log.
//
// Why a Finished? OpenSSL (inside Node too) writes a TLS 1.2 key log line only when it builds its own Finished,
// so a server logs its master secret only after a valid client Finished has arrived, sealed under the session
// keys. Record protection is chapter 06's exercise; tests/support/tls12-oracle.ts seals that one record with Node's
// own AES-GCM (RFC 5288 §3), and our PRF gives its verify_data (RFC 5246 §7.4.9) — a server that accepts it has derived
// the same keys.
import { expect } from "chai";
import crypto from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { AlertDescription, CipherSuite, ExtensionType, HandshakeType, ProtocolVersion, nameOf } from "../../lib/constants.js";
import { readPemBlocks } from "../../lib/pem.js";
import { decodeClientHello, encodeClientHello, makeClientHello } from "../../chapters/01-client-hello/index.js";
import { decodeServerHello, serverExtensionType } from "../../chapters/02-server-hello/index.js";
import { type HashName, decodeCertificate, parseCertificate } from "../../chapters/03-certificates/index.js";
import {
  decodeClientKeyExchangeRsa,
  decryptPremaster,
  encodeClientKeyExchangeRsa,
  extendedMasterSecret,
  keyBlock,
  keyBlockParams,
  makeRsaPremaster,
  masterSecret,
  prf,
  prfHash,
  readRsaPrivateKey,
  rsaEncryptPkcs1v15,
} from "../../chapters/04-rsa-key-exchange/index.js";
import { readFixture } from "../support/fixtures.js";
import { connectOpenSsl, startNodeServer, startOpenSslServer } from "../support/peers.js";
import { completeRecordLength, ContentType, HANDSHAKE_HEADER_LENGTH, RECORD_HEADER_LENGTH } from "../support/records.js";
import { VERIFY_DATA_LENGTH, referenceSealedFinished } from "../support/tls12-oracle.js";
import { parseKeyLog } from "../support/tls12-peers.js";
import { hex } from "./oracles.js";
import { AnyCipherSuite, expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

const HOST = "127.0.0.1";
const HandshakeTypeNumber = { client_hello: 1, server_hello: 2, certificate: 11, server_hello_done: 14, client_key_exchange: 16 };
const NODE_HASH: Record<HashName, string> = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
const record = (type: number, fragment: Uint8Array): Uint8Array =>
  cat(Uint8Array.of(type, 0x03, 0x03, fragment.length >> 8, fragment.length & 0xff), fragment);
const nodeHash = (hash: HashName, data: Uint8Array): Uint8Array => new Uint8Array(crypto.createHash(NODE_HASH[hash]).update(data).digest());

function withTimeout<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Splits a byte stream into records (framing only) and the handshake messages of its plaintext handshake records. */
class Stream {
  private buffer: Uint8Array = new Uint8Array(0);
  private handshake: Uint8Array = new Uint8Array(0);
  readonly records: { type: number; fragment: Uint8Array }[] = [];
  readonly messages: Uint8Array[] = [];
  /** Handshake records after a ChangeCipherSpec are encrypted: they are kept as records, not parsed. */
  private encrypted = false;

  push(chunk: Uint8Array): void {
    this.buffer = cat(this.buffer, chunk);
    for (;;) {
      const length = completeRecordLength(this.buffer);
      if (length === undefined) break;
      const type = this.buffer[0];
      const fragment = this.buffer.slice(RECORD_HEADER_LENGTH, length);
      this.buffer = this.buffer.slice(length);
      this.records.push({ type, fragment });
      if (type === ContentType.change_cipher_spec) this.encrypted = true;
      if (type !== ContentType.handshake || this.encrypted) continue;
      this.handshake = cat(this.handshake, fragment);
      while (this.handshake.length >= HANDSHAKE_HEADER_LENGTH) {
        const size = HANDSHAKE_HEADER_LENGTH + ((this.handshake[1] << 16) | (this.handshake[2] << 8) | this.handshake[3]);
        if (this.handshake.length < size) break;
        this.messages.push(this.handshake.slice(0, size));
        this.handshake = this.handshake.slice(size);
      }
    }
  }

  /** "handshake_failure" if the peer sent a (plaintext) alert. */
  alert(): string | undefined {
    const a = this.records.find((r) => r.type === ContentType.alert && r.fragment.length === 2);
    return a === undefined ? undefined : (nameOf(AlertDescription, a.fragment[1]) ?? `alert ${a.fragment[1]}`);
  }
}

interface OurSide {
  clientRandom: Uint8Array;
  master: Uint8Array;
  ems: boolean;
}

/**
 * Runs the client side of an RSA key exchange with the server on `port`, up to our Finished, and waits for the
 * server's ChangeCipherSpec and Finished (its acceptance). Returns our client random and master secret.
 */
async function rsaHandshake(port: number, suite: number, ems: boolean): Promise<OurSide> {
  const { clientHello } = makeClientHello({ version: "1.2", cipherSuites: [suite], serverName: "localhost" });
  // Chapter 01's TLS 1.2 offer always carries extended_master_secret: take it out to offer the plain master secret.
  if (!ems) clientHello.extensions = clientHello.extensions.filter((e) => e.kind !== "extended_master_secret");
  const clientHelloMessage = encodeClientHello(clientHello);

  const socket = net.connect({ port, host: HOST });
  socket.on("error", () => {});
  const fromServer = new Stream();
  let wake: () => void = () => {};
  socket.on("data", (chunk: Buffer) => {
    fromServer.push(chunk);
    wake();
  });
  socket.on("close", () => wake());
  /** Resolves when `ready()` holds, rejects on an alert or a closed connection. */
  const until = (what: string, ready: () => boolean): Promise<void> =>
    withTimeout(
      5000,
      what,
      new Promise<void>((resolve, reject) => {
        wake = () => {
          const alert = fromServer.alert();
          if (alert !== undefined) reject(new Error(`the server sent the alert ${alert} while we waited for ${what}`));
          else if (ready()) resolve();
          else if (socket.destroyed) reject(new Error(`the server closed the connection before ${what}`));
        };
        wake();
      }),
    );
  try {
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    socket.write(record(ContentType.handshake, clientHelloMessage));
    await until("ServerHelloDone", () => fromServer.messages.some((m) => m[0] === HandshakeTypeNumber.server_hello_done));
    const serverMessages = fromServer.messages.slice(0, fromServer.messages.findIndex((m) => m[0] === HandshakeTypeNumber.server_hello_done) + 1);
    expectSame(serverMessages.map((m) => m[0]), [2, 11, 14], "the server's flight: ServerHello, Certificate, ServerHelloDone", { table: HandshakeType });

    const sh = decodeServerHello(serverMessages[0]);
    expectCode(sh.cipherSuite, suite, AnyCipherSuite, "the suite the server chose");
    const serverEms = sh.extensions.some((e) => serverExtensionType(e) === ExtensionType.extended_master_secret);
    expect(serverEms, "the server answers extended_master_secret exactly when we offered it").to.equal(ems);
    const leaf = parseCertificate(decodeCertificate(serverMessages[1], ProtocolVersion.TLS1_2).entries[0].certData);
    if (leaf.publicKey.kind !== "rsa") throw new Error(`the server's certificate holds a ${leaf.publicKey.kind} key, not RSA`);

    // Chapter 04, our side: premaster, encrypt it to the certificate's key, ClientKeyExchange.
    const premaster = makeRsaPremaster(clientHello.legacyVersion);
    const clientKeyExchange = encodeClientKeyExchangeRsa(rsaEncryptPkcs1v15(leaf.publicKey, premaster));
    const hash = prfHash(suite);
    const transcript = cat(clientHelloMessage, ...serverMessages, clientKeyExchange);
    const master = ems
      ? extendedMasterSecret(hash, premaster, nodeHash(hash, transcript)) // RFC 7627 §3: hash up to ClientKeyExchange
      : masterSecret(hash, premaster, clientHello.random, sh.random);
    const keys = keyBlock(hash, master, clientHello.random, sh.random, keyBlockParams(suite));

    // The harness's part (chapter 06 in the course): Finished, sealed with the client write key and salt.
    const verifyData = prf(hash, master, "client finished", nodeHash(hash, transcript), VERIFY_DATA_LENGTH);
    socket.write(
      cat(
        record(ContentType.handshake, clientKeyExchange),
        record(ContentType.change_cipher_spec, Uint8Array.of(1)),
        referenceSealedFinished(keys.clientKey, keys.clientIv, verifyData),
      ),
    );
    // The server's ChangeCipherSpec and its (encrypted) Finished: it accepted our Finished, so it has our keys.
    await until("the server's ChangeCipherSpec and Finished", () => {
      const ccs = fromServer.records.findIndex((r) => r.type === ContentType.change_cipher_spec);
      return ccs >= 0 && fromServer.records.slice(ccs + 1).some((r) => r.type === ContentType.handshake);
    });
    return { clientRandom: clientHello.random, master, ems };
  } finally {
    socket.destroy();
  }
}

/** The master secret (hex) of the CLIENT_RANDOM line for `clientRandom` in NSS key log text, or undefined. */
const masterFromKeyLog = (text: string, clientRandom: Uint8Array): string | undefined => parseKeyLog(text).get(hex(clientRandom));

async function waitFor<T>(what: string, poll: () => T | undefined, ms = 5000): Promise<T> {
  return withTimeout(
    ms,
    what,
    new Promise<T>((resolve) => {
      const tick = () => {
        const value = poll();
        if (value !== undefined) resolve(value);
        else setTimeout(tick, 20);
      };
      tick();
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------

describe("04 live: our RSA key exchange with real TLS 1.2 servers (their key log holds their master secret)", function () {
  this.timeout(20000);

  async function withNodeServer(ciphers: string, suite: number, ems: boolean): Promise<void> {
    const server = await startNodeServer({ minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers });
    const lines: string[] = [];
    server.server.on("keylog", (line: Buffer) => lines.push(line.toString("latin1")));
    try {
      const ours = await rsaHandshake(server.port, suite, ems);
      const theirs = await waitFor("Node's keylog event", () => masterFromKeyLog(lines.join(""), ours.clientRandom));
      expectBytes(ours.master, fromHex(theirs), "our master secret = the server's");
    } finally {
      await server.close();
    }
  }

  async function withOpenSsl(ems: boolean): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-04-keylog-"));
    const keylog = join(dir, "keylog.txt");
    const server = await startOpenSslServer(["-tls1_2", "-cipher", "AES128-GCM-SHA256", "-keylogfile", keylog]);
    try {
      const ours = await rsaHandshake(server.port, CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, ems);
      const theirs = await waitFor("s_server's -keylogfile line", () =>
        existsSync(keylog) ? masterFromKeyLog(readFileSync(keylog, "latin1"), ours.clientRandom) : undefined,
      );
      expectBytes(ours.master, fromHex(theirs), "our master secret = s_server's");
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("04.3 Node's tls server (AES128-GCM-SHA256, RSA key exchange, no extended master secret) derives our master secret", () =>
    withNodeServer("AES128-GCM-SHA256", CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, false));

  it("04.7 Node's tls server with extended master secret (RFC 7627: the session hash up to our ClientKeyExchange)", () =>
    withNodeServer("AES128-GCM-SHA256", CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256, true));

  it("04.8 Node's tls server with AES256-GCM-SHA384: SHA-384 PRF, 32-byte keys, extended master secret", () =>
    withNodeServer("AES256-GCM-SHA384", CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384, true));

  it("04.3 `openssl s_server -tls1_2 -cipher AES128-GCM-SHA256 -keylogfile` derives our master secret (no extended master secret)", () =>
    withOpenSsl(false));

  it("04.7 `openssl s_server` with extended master secret", () => withOpenSsl(true));
});

// ---------------------------------------------------------------------------------------------------------------

/** A TCP proxy on 127.0.0.1 that forwards to `targetPort` and records both directions of the first connection. */
async function recordingProxy(targetPort: number): Promise<{ port: number; client: Stream; server: Stream; close: () => Promise<void> }> {
  const client = new Stream();
  const server = new Stream();
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((inbound) => {
    const outbound = net.connect({ port: targetPort, host: HOST });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => sockets.delete(s));
    }
    inbound.on("data", (chunk: Buffer) => {
      client.push(chunk);
      outbound.write(chunk);
    });
    outbound.on("data", (chunk: Buffer) => {
      server.push(chunk);
      inbound.write(chunk);
    });
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, HOST, resolve));
  proxy.unref();
  const port = (proxy.address() as net.AddressInfo).port;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
  };
  return { port, client, server, close };
}

/**
 * The server's side, on what a real client sent: decode its ClientKeyExchange, decrypt it with the fixture key, and
 * derive the master secret (extended or not, as the ServerHello says) from the recorded handshake.
 */
function serverSideMaster(client: Stream, server: Stream): { master: Uint8Array; clientRandom: Uint8Array; premaster: Uint8Array; ems: boolean } {
  const [clientHelloMessage, clientKeyExchange] = client.messages;
  expectSame(client.messages.map((m) => m[0]), [1, 16], "the client's plaintext handshake messages", { table: HandshakeType });
  const serverDone = server.messages.findIndex((m) => m[0] === HandshakeTypeNumber.server_hello_done);
  const serverMessages = server.messages.slice(0, serverDone + 1);
  expectSame(serverMessages.map((m) => m[0]), [2, 11, 14], "the server's first flight", { table: HandshakeType });

  const ch = decodeClientHello(clientHelloMessage);
  const sh = decodeServerHello(serverMessages[0]);
  const suite = sh.cipherSuite;
  const hash = prfHash(suite);
  const key = readRsaPrivateKey(readPemBlocks(readFixture("server-rsa.key"))[0].der);
  const encrypted = decodeClientKeyExchangeRsa(clientKeyExchange);
  expect(encrypted.length, "the ciphertext is as long as the 2048-bit modulus").to.equal(256);
  const premaster = decryptPremaster(key, encrypted, ch.legacyVersion);
  const ems = sh.extensions.some((e) => serverExtensionType(e) === ExtensionType.extended_master_secret);
  const master = ems
    ? extendedMasterSecret(hash, premaster, nodeHash(hash, cat(clientHelloMessage, ...serverMessages, clientKeyExchange)))
    : masterSecret(hash, premaster, ch.random, sh.random);
  return { master, clientRandom: ch.random, premaster, ems };
}

describe("04 live: real clients' ClientKeyExchange, decrypted with the server's private key", function () {
  this.timeout(20000);

  it("04.5 Node's tls.connect (RSA key exchange, extended master secret): our decryption gives the master secret in its key log", async () => {
    const target = await startNodeServer({ minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" });
    const proxy = await recordingProxy(target.port);
    try {
      const lines: string[] = [];
      const socket = tls.connect({ port: proxy.port, host: HOST, servername: "localhost", ca: readFixture("ca.crt"), maxVersion: "TLSv1.2" });
      socket.on("keylog", (line: Buffer) => lines.push(line.toString("latin1")));
      socket.on("error", () => {});
      await withTimeout(5000, "Node's client handshake", new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject)));
      const ours = serverSideMaster(proxy.client, proxy.server);
      socket.destroy();
      expect(ours.ems, "Node's client and server agree on extended master secret").to.equal(true);
      expectBytes(ours.premaster.subarray(0, 2), fromHex("0303"), "the premaster's version: the ClientHello's 03 03");
      const theirs = await waitFor("Node's client keylog event", () => masterFromKeyLog(lines.join(""), ours.clientRandom));
      expectBytes(ours.master, fromHex(theirs), "master secret from our decryption = the client's");
    } finally {
      await proxy.close();
      await target.close();
    }
  });

  it("04.5 `openssl s_client -tls1_2 -cipher AES128-GCM-SHA256`: our decryption gives the master secret in its -keylogfile", async () => {
    const target = await startNodeServer({ minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "AES128-GCM-SHA256" });
    const proxy = await recordingProxy(target.port);
    const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-04-keylog-"));
    const keylog = join(dir, "keylog.txt");
    const stop = await connectOpenSsl(["-tls1_2", "-cipher", "AES128-GCM-SHA256", "-keylogfile", keylog])(proxy.port);
    try {
      await waitFor("s_client's ClientKeyExchange", () => (proxy.client.messages.length >= 2 ? true : undefined));
      const ours = serverSideMaster(proxy.client, proxy.server);
      expectBytes(ours.premaster.subarray(0, 2), fromHex("0303"), "the premaster's version: the ClientHello's 03 03");
      const theirs = await waitFor("s_client's key log line", () =>
        existsSync(keylog) ? masterFromKeyLog(readFileSync(keylog, "latin1"), ours.clientRandom) : undefined,
      );
      expectBytes(ours.master, fromHex(theirs), "master secret from our decryption = s_client's");
    } finally {
      if (typeof stop === "function") await stop();
      await proxy.close();
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
