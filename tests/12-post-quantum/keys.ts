// 12.3–12.5: the key pair, the client's secret and the server's encapsulation, each alone, on known answers: ML-KEM-768
// from kyber-py (FIPS 203's KeyGen_internal(d, z) and Encaps_internal(ek, m) with fixed randomness), X25519 and P-256
// from Node's crypto. The layout and order of every expected value come from the draft's text (vectors.ts).
import crypto from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { concat } from "../../lib/hex.js";
import type { KeyPair } from "../../chapters/01-client-hello/index.js";
import type { ServerChoice } from "../../chapters/02-server-hello/index.js";
import { hybridClientSecret, hybridServerKeyShare, makeHybridKeyPair } from "../../chapters/12-post-quantum/index.js";
import { expectBytes, expectCode } from "../support/expect-bytes.js";
import { assertProperty, expectTlsError } from "../support/properties.js";
import { alertName, isNotImplemented, isTlsError } from "../../lib/errors.js";
import { draftSecretOrder, draftShareOrder, mlkemCases, nodeP256, nodeX25519 } from "./vectors.js";

const CASES = mlkemCases();
const X = "X25519MLKEM768";
const P = "SecP256r1MLKEM768";

/** Two parts in the order the draft gives for `name` (share of `side`, or the secret). */
function inOrder(order: "mlkem first" | "ecdh first", mlkem: Uint8Array, ecdh: Uint8Array): Uint8Array {
  return order === "mlkem first" ? concat(mlkem, ecdh) : concat(ecdh, mlkem);
}

/** The X25519 public key of a raw private key, by Node (PKCS #8 wrapping of RFC 8410). */
function x25519PublicOf(privateKey: Uint8Array): Uint8Array {
  const der = concat(Uint8Array.from(Buffer.from("302e020100300506032b656e04220420", "hex")), privateKey);
  const jwk = crypto.createPublicKey(crypto.createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" })).export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x!, "base64url"));
}

describe("12.3 the client's hybrid key pair", () => {
  for (const [i, c] of CASES.entries()) {
    it(`12.3 X25519MLKEM768 from fixed randomness (kyber-py case ${i}): publicKey is the encapsulation key and the X25519 share in the draft's order`, () => {
      const x = nodeX25519();
      const pair = makeHybridKeyPair(NamedGroup.X25519MLKEM768, { seed: c.seed, ecdh: { group: NamedGroup.x25519, ...x } });
      expectCode(pair.group, NamedGroup.X25519MLKEM768, NamedGroup, "the pair's group");
      expectBytes(pair.publicKey, inOrder(draftShareOrder(X, "client"), c.ek, x.publicKey), "the key_share (encapsulation key and X25519 public key)");
      expectBytes(pair.privateKey, concat(c.dk, x.privateKey), "the private key (decapsulation key ‖ X25519 private key)");
      expect(pair.sharedSecret, "the pair's own sharedSecret (chapter 08 calls it instead of ECDHE)").to.be.a("function");
    });
  }
  it("12.3 SecP256r1MLKEM768 from fixed randomness: the uncompressed P-256 point first, then the encapsulation key (1249 bytes)", () => {
    const c = CASES[0]!;
    const p = nodeP256();
    const pair = makeHybridKeyPair(NamedGroup.SecP256r1MLKEM768, { seed: c.seed, ecdh: { group: NamedGroup.secp256r1, ...p } });
    expectBytes(pair.publicKey, inOrder(draftShareOrder(P, "client"), c.ek, p.publicKey), "the SecP256r1MLKEM768 key_share");
    expectBytes(pair.privateKey, concat(c.dk, p.privateKey), "the private key (decapsulation key ‖ P-256 scalar)");
  });
  it("12.3 a fresh pair: new randomness every time, a decapsulation key that embeds the encapsulation key (FIPS 203 §7.1), an X25519 share that is its private key's", () => {
    const a = makeHybridKeyPair(NamedGroup.X25519MLKEM768);
    const b = makeHybridKeyPair(NamedGroup.X25519MLKEM768);
    expect(a.publicKey.length, "a fresh X25519MLKEM768 share").to.equal(1216);
    expect(Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey)), "two fresh pairs are equal: the randomness is not fresh").to.equal(false);
    // dk = dk_PKE (384·k = 1152 bytes) ‖ ek ‖ H(ek) ‖ z (FIPS 203 Algorithm 16).
    expectBytes(a.privateKey.slice(1152, 1152 + 1184), a.publicKey.slice(0, 1184), "the encapsulation key inside the decapsulation key");
    expectBytes(a.publicKey.slice(1184), x25519PublicOf(a.privateKey.slice(2400)), "the X25519 share (Node's public key of our private key)");
  });
});

/**
 * One client-side known answer: kyber-py's decapsulation key and ciphertext (or `ct`/`ss` given), the classical halves
 * from Node, everything laid out in the draft's order; hybridClientSecret must give the draft-ordered secret.
 */
function clientSecretCase(name: string, group: number, c: (typeof CASES)[number], ecdh: () => ReturnType<typeof nodeX25519> | ReturnType<typeof nodeP256>, ct = c.ct, ss = c.ss): void {
  const client = ecdh();
  const server = ecdh();
  const secret = hybridClientSecret(group, concat(c.dk, client.privateKey), inOrder(draftShareOrder(name, "server"), ct, server.publicKey));
  expectBytes(secret, inOrder(draftSecretOrder(name), ss, server.sharedWith(client.publicKey)), `the ${name} shared secret`);
}

describe("12.4 the client's hybrid shared secret", () => {
  for (const [i, c] of CASES.entries()) {
    it(`12.4 X25519MLKEM768 (kyber-py case ${i}): decapsulate, X25519 with the server's share, ML-KEM secret first`, () => {
      clientSecretCase(X, NamedGroup.X25519MLKEM768, c, nodeX25519);
    });
  }
  it("12.4 a ciphertext changed on the way does not throw: ML-KEM's implicit rejection gives kyber-py's rejection secret, and the handshake fails later", () => {
    const c = CASES[1]!;
    clientSecretCase(X, NamedGroup.X25519MLKEM768, c, nodeX25519, c.tamperedCt, c.tamperedSs);
  });
  it("12.4 SecP256r1MLKEM768: the P-256 secret (Node's ECDH, the x coordinate) first", () => {
    clientSecretCase(P, NamedGroup.SecP256r1MLKEM768, CASES[2]!, nodeP256);
  });
  it("12.4 the pair from makeHybridKeyPair finishes its own exchange (pair.sharedSecret) with the same result", () => {
    const c = CASES[0]!;
    const client = nodeX25519();
    const server = nodeX25519();
    const pair = makeHybridKeyPair(NamedGroup.X25519MLKEM768, { seed: c.seed, ecdh: { group: NamedGroup.x25519, ...client } });
    expect(pair.sharedSecret, "pair.sharedSecret").to.be.a("function");
    const secret = pair.sharedSecret!(inOrder(draftShareOrder(X, "server"), c.ct, server.publicKey));
    expectBytes(secret, inOrder(draftSecretOrder(X), c.ss, server.sharedWith(client.publicKey)), "pair.sharedSecret(the server's share)");
  });
  it("12.4 a server share of the wrong size, or an X25519 share of low order, is illegal_parameter", () => {
    const c = CASES[0]!;
    const privateKey = concat(c.dk, nodeX25519().privateKey);
    for (const length of [1119, 1121, 32, 0]) {
      expectTlsError(() => hybridClientSecret(NamedGroup.X25519MLKEM768, privateKey, new Uint8Array(length)), { alert: AlertDescription.illegal_parameter });
    }
    // The point 0 has order 4: the X25519 output is all zeros whatever our key (RFC 7748 §6.1).
    expectTlsError(() => hybridClientSecret(NamedGroup.X25519MLKEM768, privateKey, inOrder(draftShareOrder(X, "server"), c.ct, new Uint8Array(32))), {
      alert: AlertDescription.illegal_parameter,
    });
  });
});

/** Chapter 02's choice as the server's ClientHello reading makes it: this group, with the client's share in it. */
function choice(group: number, keyExchange: Uint8Array): ServerChoice {
  return { version: ProtocolVersion.TLS1_3, cipherSuite: CipherSuite.TLS_AES_128_GCM_SHA256, group, keyShare: { group, keyExchange }, helloRetry: false };
}

describe("12.5 the server's hybrid key share", () => {
  for (const [i, c] of CASES.entries()) {
    it(`12.5 X25519MLKEM768 (kyber-py case ${i}): encapsulate to the client's key, answer ciphertext and X25519 share, same secret as the client`, () => {
      const client = nodeX25519();
      const server = nodeX25519();
      const asked: number[] = [];
      const makePair = (group: number): KeyPair => {
        asked.push(group);
        return { group, privateKey: server.privateKey, publicKey: server.publicKey };
      };
      const share = hybridServerKeyShare(choice(NamedGroup.X25519MLKEM768, inOrder(draftShareOrder(X, "client"), c.ek, client.publicKey)), makePair, c.m);
      expect(asked.map((g) => describeCode(NamedGroup, g)), "the groups makePair was asked for (the ECDH half only)").to.deep.equal([describeCode(NamedGroup, NamedGroup.x25519)]);
      expectCode(share.keyPair.group, NamedGroup.X25519MLKEM768, NamedGroup, "the ServerHello's key_share group");
      expectBytes(share.keyPair.publicKey, inOrder(draftShareOrder(X, "server"), c.ct, server.publicKey), "the server's key_share (ciphertext and X25519 share)");
      expectBytes(share.sharedSecret, inOrder(draftSecretOrder(X), c.ss, client.sharedWith(server.publicKey)), "the server's shared secret");
    });
  }
  it("12.5 SecP256r1MLKEM768: the P-256 point first in the answer and the P-256 secret first in the secret", () => {
    const c = CASES[1]!;
    const client = nodeP256();
    const server = nodeP256();
    const share = hybridServerKeyShare(choice(NamedGroup.SecP256r1MLKEM768, inOrder(draftShareOrder(P, "client"), c.ek, client.publicKey)), (group) => ({ group, ...server }), c.m);
    expectBytes(share.keyPair.publicKey, inOrder(draftShareOrder(P, "server"), c.ct, server.publicKey), "the server's SecP256r1MLKEM768 key_share");
    expectBytes(share.sharedSecret, inOrder(draftSecretOrder(P), c.ss, client.sharedWith(server.publicKey)), "the server's shared secret");
  });
  it("12.5 an ECDHE group goes to chapter 10's serverKeyShare: X25519 as before (Node agrees on the secret)", () => {
    const client = nodeX25519();
    const share = hybridServerKeyShare(choice(NamedGroup.x25519, client.publicKey));
    expectCode(share.keyPair.group, NamedGroup.x25519, NamedGroup, "the group");
    expectBytes(share.sharedSecret, client.sharedWith(share.keyPair.publicKey), "the X25519 shared secret");
  });
  it("12.5 a client share of the wrong size, or an encapsulation key that fails FIPS 203's modulus check, is illegal_parameter", () => {
    const c = CASES[0]!;
    const x = nodeX25519();
    for (const length of [1215, 1217, 1184, 32]) {
      expectTlsError(() => hybridServerKeyShare(choice(NamedGroup.X25519MLKEM768, new Uint8Array(length))), { alert: AlertDescription.illegal_parameter });
    }
    // Coefficient 3 set to 0xfff = 4095 ≥ q = 3329 (FIPS 203 §7.2, the modulus check): bytes 4 and 5 hold its 12 bits.
    const badKey = c.ek.slice();
    badKey[4] |= 0xf0;
    badKey[5] = 0xff;
    const e = expectTlsError(() => hybridServerKeyShare(choice(NamedGroup.X25519MLKEM768, inOrder(draftShareOrder(X, "client"), badKey, x.publicKey))), {
      alert: AlertDescription.illegal_parameter,
      field: "encapsulation key",
      offset: 3, // the three bytes of coefficients 2 and 3
    });
    expect(e.message).to.include("coefficient 3");
  });
});

/**
 * What a peer's bad share may do to the key exchange: a TlsError with illegal_parameter naming the field (the share,
 * the encapsulation key, the ECDH point), nothing else. (Not a decoder: the offset, when there is one, is the part's.)
 */
function onlyIllegalParameter(e: unknown, share: Uint8Array): void {
  if (isNotImplemented(e)) throw e;
  const head = Buffer.from(share.subarray(0, 24)).toString("hex");
  if (!isTlsError(e)) throw new Error(`on a ${share.length}-byte share (${head}…) it threw ${(e as Error)?.name}: ${(e as Error)?.message}; only a TlsError may come out`, { cause: e });
  if (e.alert !== AlertDescription.illegal_parameter) throw new Error(`on a ${share.length}-byte share (${head}…): ${alertName(e.alert)}, expected illegal_parameter: ${e.message}`, { cause: e });
  if (typeof e.field !== "string" || e.field === "") throw new Error(`the TlsError names no field: ${e.message}`, { cause: e });
}

/** A peer's share of any length near `size` (or exactly it), of random bytes: what a fuzzer sends. */
const sharesAround = (size: number) =>
  fc.oneof(fc.integer({ min: 0, max: size + 40 }), fc.constant(size)).chain((length) => fc.uint8Array({ minLength: length, maxLength: length }));

describe("12.4 and 12.5: a peer's share of any size or content", () => {
  it("12.4 property: hybridClientSecret on any server share gives a 64-byte secret or throws TlsError illegal_parameter, never RangeError/TypeError", () => {
    const c = CASES[0]!;
    const privateKey = concat(c.dk, nodeX25519().privateKey);
    assertProperty(
      fc.property(sharesAround(1120), (share) => {
        try {
          expect(hybridClientSecret(NamedGroup.X25519MLKEM768, privateKey, share).length, "the secret's size").to.equal(64);
        } catch (e) {
          onlyIllegalParameter(e, share);
        }
      }),
      { numRuns: 150, demands: "a 1120-byte share decapsulates (implicit rejection: no error for a bad ciphertext); any other size is illegal_parameter", inputs: ["the server's share"] },
    );
  });
  it("12.5 property: hybridServerKeyShare on any client share answers or throws TlsError illegal_parameter, never RangeError/TypeError", () => {
    assertProperty(
      fc.property(sharesAround(1216), (share) => {
        try {
          const answer = hybridServerKeyShare(choice(NamedGroup.X25519MLKEM768, share));
          expect(answer.keyPair.publicKey.length, "the answer's size").to.equal(1120);
        } catch (e) {
          onlyIllegalParameter(e, share);
        }
      }),
      { numRuns: 150, demands: "a 1216-byte share with a valid key is answered; a key failing the modulus check or any other size is illegal_parameter", inputs: ["the client's share"] },
    );
  });
});

