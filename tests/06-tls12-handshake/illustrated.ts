// Exercises 06.3 (Finished) and 06.10 (the key log line) against a recorded connection: the TLS 1.2 connection of
// https://tls12.xargs.org (tests/vectors/illustrated-tls12, MIT; see SOURCES.md). From its ephemeral X25519 key and
// its records, the learner's code derives premaster, master secret, key block and both Finished values; the
// outside references are its key log (the master secret), Node's X25519 (the premaster), and its encrypted records:
// decrypted here with AES-128-CBC (@noble/ciphers) and checked with HMAC-SHA1 (Node's crypto) under the derived
// keys, they must give the plaintexts the repository publishes. Also: verify_data against a PRF written here with
// Node's HMAC, and both Finished checks.
import { expect } from "chai";
import fc from "fast-check";
import { cbc } from "@noble/ciphers/aes.js";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AlertDescription, NamedGroup } from "../../lib/constants.js";
import { fromHex } from "../../lib/hex.js";
import { ecdhePremaster } from "../../chapters/05-dhe-key-exchange/index.js";
import { keyBlock, keyBlockParams, masterSecret } from "../../chapters/04-rsa-key-exchange/index.js";
import { checkVerifyData, keyLogLine, verifyData } from "../../chapters/06-tls12-handshake/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { assertProperty, expectTlsError } from "../support/properties.js";
import { referencePrf } from "../support/tls12-oracle.js";

const DIR = fileURLToPath(new URL("../vectors/illustrated-tls12/", import.meta.url));
const cap = (name: string): Uint8Array => new Uint8Array(readFileSync(`${DIR}caps/${name}`));
const RECORD_HEADER = 5;
const TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013;

/** A record's fragment: what follows the 5-byte header (each caps file is one record). */
const fragmentOf = (record: Uint8Array): Uint8Array => record.subarray(RECORD_HEADER);

// The handshake messages in order: each plaintext handshake file is one record holding one message.
const transcriptFiles = ["clienthello", "serverhello", "servercert", "serverkeyexchange", "serverhellodone", "clientkeyexchange"];
const handshakeMessages = transcriptFiles.map((f) => fragmentOf(cap(f)));

// ClientHello and ServerHello bodies: version(2) then random(32) (RFC 5246 §7.4.1.2), after the 4-byte header.
const clientRandom = handshakeMessages[0]!.slice(4 + 2, 4 + 2 + 32);
const serverRandom = handshakeMessages[1]!.slice(4 + 2, 4 + 2 + 32);

// The key log line the connection's client wrote: "CLIENT_RANDOM <client random> <master secret>".
const keyLogText = readFileSync(`${DIR}keylog.txt`, "utf8").trim();
const [, loggedRandom, loggedMaster] = keyLogText.split(" ") as [string, string, string];

/** A raw X25519 key from a PEM file, through Node's crypto (JWK: d is the private key, x the public one). */
function x25519FromPem(file: string, part: "d" | "x"): Uint8Array {
  const pem = readFileSync(`${DIR}files/${file}`, "utf8");
  const key = part === "d" ? crypto.createPrivateKey(pem) : crypto.createPublicKey(pem);
  const jwk = key.export({ format: "jwk" }) as { d?: string; x: string };
  return new Uint8Array(Buffer.from(part === "d" ? jwk.d! : jwk.x, "base64url"));
}

/** Hash(handshake_messages) as Node computes it. */
const sha256 = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(crypto.createHash("sha256").update(Buffer.concat(parts)).digest());

/**
 * TLS 1.2 CBC record (RFC 5246 §6.2.3.2): IV(16) || AES-CBC(content || MAC || padding || padding_length), where MAC =
 * HMAC-SHA1(mac_key, seq_num || type || version || length || content) (§6.2.3.1). Decrypts, checks padding and MAC,
 * returns the content and the whole decrypted block.
 */
function openCbcRecord(record: Uint8Array, key: Uint8Array, macKey: Uint8Array, sequence: bigint): { content: Uint8Array; decrypted: Uint8Array } {
  const iv = record.subarray(RECORD_HEADER, RECORD_HEADER + 16);
  const decrypted = cbc(key, iv, { disablePadding: true }).decrypt(record.subarray(RECORD_HEADER + 16));
  const padLength = decrypted[decrypted.length - 1]!;
  const padding = decrypted.subarray(decrypted.length - 1 - padLength);
  expect(padding.every((b) => b === padLength), "CBC padding bytes all equal to the padding length").to.equal(true);
  const macAt = decrypted.length - 1 - padLength - 20;
  const content = decrypted.slice(0, macAt);
  const header = Buffer.alloc(13);
  header.writeBigUInt64BE(sequence, 0);
  header[8] = record[0]!;
  header[9] = record[1]!;
  header[10] = record[2]!;
  header.writeUInt16BE(content.length, 11);
  const mac = crypto.createHmac("sha1", macKey).update(header).update(content).digest();
  expectBytes(decrypted.subarray(macAt, macAt + 20), new Uint8Array(mac), "HMAC-SHA1 of the record under the derived MAC key");
  return { content, decrypted };
}

/** The learner's chain from the recorded keys to the key block. */
function derive() {
  const premaster = ecdhePremaster(NamedGroup.x25519, x25519FromPem("client-ephemeral-private.key", "d"), serverPublicFromSke());
  const master = masterSecret("SHA-256", premaster, clientRandom, serverRandom);
  const keys = keyBlock("SHA-256", master, clientRandom, serverRandom, keyBlockParams(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA));
  return { premaster, master, keys };
}

/** ServerECDHParams (RFC 8422 §5.4): curve_type(1) named_curve(2) point<1..2^8-1>, after the 4-byte header. */
function serverPublicFromSke(): Uint8Array {
  const ske = handshakeMessages[3]!;
  const length = ske[4 + 3]!;
  return ske.slice(4 + 4, 4 + 4 + length);
}

describe("06.3 / 06.10 the recorded illustrated-tls12 connection (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, x25519)", () => {
  it("06.3 from the recorded keys: premaster = Node's X25519, master = the key log's, and both Finished verify_data match the decrypted Finished", () => {
    expectBytes(clientRandom, fromHex(loggedRandom), "the client random, as the key log has it");
    const serverPublic = serverPublicFromSke();
    expectBytes(serverPublic, x25519FromPem("server-ephemeral-public.key", "x"), "the ServerKeyExchange point is the server's published ephemeral key");
    const { premaster, master, keys } = derive();
    const nodeShared = crypto.diffieHellman({
      privateKey: crypto.createPrivateKey(readFileSync(`${DIR}files/client-ephemeral-private.key`, "utf8")),
      publicKey: crypto.createPublicKey(readFileSync(`${DIR}files/server-ephemeral-public.key`, "utf8")),
    });
    expectBytes(premaster, new Uint8Array(nodeShared), "premaster (chapter 05) vs Node's X25519");
    expectBytes(master, fromHex(loggedMaster), "master secret (chapter 04) vs the key log");

    // The client's Finished, decrypted with the derived client keys (sequence number 0 after its ChangeCipherSpec).
    const clientFinished = openCbcRecord(cap("clientfinished"), keys.clientKey, keys.clientMacKey, 0n).content;
    expectBytes(clientFinished, cap("clientfinishedplain").subarray(0, clientFinished.length), "the client Finished, decrypted");
    const clientVerify = verifyData("SHA-256", master, "client finished", sha256(...handshakeMessages));
    expectBytes(Uint8Array.of(0x14, 0x00, 0x00, 0x0c, ...clientVerify), clientFinished, "client Finished");

    // The server's Finished covers the client's Finished too (RFC 5246 §7.4.9).
    const serverFinished = openCbcRecord(cap("serverfinished"), keys.serverKey, keys.serverMacKey, 0n).content;
    const serverVerify = verifyData("SHA-256", master, "server finished", sha256(...handshakeMessages, clientFinished));
    expectBytes(Uint8Array.of(0x14, 0x00, 0x00, 0x0c, ...serverVerify), serverFinished, "server Finished");
    expectBytes(serverFinished, cap("serverfinishedplain").subarray(0, serverFinished.length), "the server Finished, decrypted");
  });

  it("06.3 every encrypted record decrypts under the derived key block to the published plaintext, and checkVerifyData accepts both Finished", () => {
    const { master, keys } = derive();
    const records: [string, Uint8Array, Uint8Array, bigint][] = [
      ["clientfinished", keys.clientKey, keys.clientMacKey, 0n],
      ["serverfinished", keys.serverKey, keys.serverMacKey, 0n],
      ["clientdata", keys.clientKey, keys.clientMacKey, 1n],
      ["serverdata", keys.serverKey, keys.serverMacKey, 1n],
      ["clientalert", keys.clientKey, keys.clientMacKey, 2n],
    ];
    const contents = new Map<string, Uint8Array>();
    for (const [name, key, macKey, sequence] of records) {
      const { content, decrypted } = openCbcRecord(cap(name), key, macKey, sequence);
      const plain = cap(`${name}plain`);
      // The repository's *plain files hold the decrypted block from its start (content, then part of the MAC and padding).
      expectBytes(decrypted.subarray(0, plain.length), plain, `${name} vs ${name}plain`);
      contents.set(name, content);
    }
    expect(new TextDecoder().decode(contents.get("clientdata"))).to.equal("ping");
    expect(new TextDecoder().decode(contents.get("serverdata"))).to.equal("pong");
    expectBytes(contents.get("clientalert")!, fromHex("0100"), "the client's alert"); // warning close_notify
    const th1 = sha256(...handshakeMessages);
    checkVerifyData(verifyData("SHA-256", master, "client finished", th1), contents.get("clientfinished")!.subarray(4), "the client");
    const th2 = sha256(...handshakeMessages, contents.get("clientfinished")!);
    checkVerifyData(verifyData("SHA-256", master, "server finished", th2), contents.get("serverfinished")!.subarray(4), "the server");
  });

  it("06.3 a Finished that differs in any one byte, or is cut short, is decrypt_error", () => {
    const { master } = derive();
    const good = verifyData("SHA-256", master, "client finished", sha256(...handshakeMessages));
    for (let i = 0; i < good.length; i++) {
      const bad = good.slice();
      bad[i]! ^= 0x01;
      expectTlsError(() => checkVerifyData(good, bad, "the server"), { alert: AlertDescription.decrypt_error, field: "verify_data" });
    }
    expectTlsError(() => checkVerifyData(good, good.subarray(0, 11), "the server"), { alert: AlertDescription.decrypt_error });
    expectTlsError(() => checkVerifyData(good, new Uint8Array(12), "the server"), { alert: AlertDescription.decrypt_error });
  });

  it("06.3 verifyData = the first 12 bytes of PRF(master, label, hash) for SHA-256 and SHA-384 (PRF written here on Node's HMAC)", () => {
    assertProperty(
      fc.property(
        fc.uint8Array({ minLength: 48, maxLength: 48 }),
        fc.constantFrom("client finished" as const, "server finished" as const),
        fc.constantFrom(["SHA-256", "sha256", 32] as const, ["SHA-384", "sha384", 48] as const),
        fc.uint8Array({ minLength: 48, maxLength: 48 }),
        (master, label, [name, nodeName, size], hashBytes) => {
          const transcriptHash = hashBytes.subarray(0, size);
          const ours = verifyData(name, master, label, transcriptHash);
          expect(ours.length).to.equal(12);
          expectBytes(ours, referencePrf(nodeName, master, label, transcriptHash, 12), "verify_data against the PRF on Node's HMAC");
        },
      ),
      200,
    );
  });

  it("06.10 keyLogLine reproduces the recorded connection's key log line exactly", () => {
    expect(keyLogLine(clientRandom, fromHex(loggedMaster))).to.equal(keyLogText);
  });

  it("06.10 keyLogLine: CLIENT_RANDOM, 64 and 96 lowercase hex digits, single spaces, no newline", () => {
    assertProperty(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 48, maxLength: 48 }), (random, master) => {
        expect(keyLogLine(random, master)).to.equal(`CLIENT_RANDOM ${Buffer.from(random).toString("hex")} ${Buffer.from(master).toString("hex")}`);
      }),
      200,
    );
  });
});
