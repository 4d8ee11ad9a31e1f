// Exercise 05.6, the ECDHE premaster, graded against outside references only: Wycheproof's X25519, P-256 and P-384
// ECDH vectors (the "ecpoint" files, whose public keys are raw points as TLS sends them), Node's crypto (OpenSSL) as
// the other party, and the x25519 keys and premaster published with the illustrated TLS 1.2 connection.
import { expect } from "chai";
import crypto from "node:crypto";
import { AlertDescription, NamedGroup } from "../../lib/constants.js";
import { makeKeyPair } from "../../chapters/01-client-hello/index.js";
import { ecdhePremaster } from "../../chapters/05-dhe-key-exchange/index.js";
import { expectTlsError } from "../support/properties.js";
import { bytesOf, cat, hex, illustrated, unhex, wycheproof, type WycheproofCase } from "./vectors.js";
import { isNotImplemented, isTlsError } from "../../lib/errors.js";
import { expectBytes } from "../support/expect-bytes.js";

/** ecdhePremaster's verdict on one case: the shared secret, or the alert it sent. */
function run(group: number, privateKey: Uint8Array, publicKey: Uint8Array): { shared: string } | { alert: string } {
  try {
    return { shared: hex(ecdhePremaster(group, privateKey, publicKey)) };
  } catch (e) {
    if (isNotImplemented(e)) throw e;
    if (isTlsError(e)) return { alert: e.alertName };
    throw e;
  }
}

/** Runs every case that `select` picks and lists those whose verdict is not `expected(case)`. */
function disagreements(group: number, cases: WycheproofCase[], privateKey: (c: WycheproofCase) => Uint8Array, expected: (c: WycheproofCase) => object): string[] {
  const wrong: string[] = [];
  for (const c of cases) {
    const got = run(group, privateKey(c), unhex(c.public));
    const want = expected(c);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      wrong.push(`tcId ${c.tcId} (${c.comment}; ${c.flags.join(", ")}): expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  }
  return wrong;
}

const ILLEGAL = { alert: "illegal_parameter" };
const isZero = (h: string) => /^(00)+$/.test(h);

/** Wycheproof writes private keys as signed big-endian integers: P-256's may have a 00 in front, or be short. */
const p256Private = (c: WycheproofCase): Uint8Array => bytesOf(BigInt("0x" + c.private), 32);
const p384Private = (c: WycheproofCase): Uint8Array => bytesOf(BigInt("0x" + c.private), 48);

/**
 * The P-384 file has 790 cases, 665 of them "EdgeCaseDoubling" (points that stress one formula). At several
 * milliseconds per P-384 multiplication, all of them would cost seconds on every test run: every case of every other
 * kind is run, and one doubling case in 20.
 */
const p384Sample = (cases: WycheproofCase[]): WycheproofCase[] => {
  let doubling = 0;
  return cases.filter((c) => !(c.flags.length === 1 && c.flags[0] === "EdgeCaseDoubling") || doubling++ % 20 === 0);
};

/** Node's X25519, from raw 32-byte keys (RFC 8410 structures, built by hand: 12 fixed bytes, then the key). */
const X25519_SPKI_PREFIX = unhex("302a300506032b656e032100");
const X25519_PKCS8_PREFIX = unhex("302e020100300506032b656e04220420");
function nodeX25519(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(
    crypto.diffieHellman({
      privateKey: crypto.createPrivateKey({ key: Buffer.from(cat(X25519_PKCS8_PREFIX, privateKey)), format: "der", type: "pkcs8" }),
      publicKey: crypto.createPublicKey({ key: Buffer.from(cat(X25519_SPKI_PREFIX, publicKey)), format: "der", type: "spki" }),
    }),
  );
}

describe("05.6 the ECDHE premaster", function () {
  const x25519 = wycheproof("x25519_test.json");
  const p256 = wycheproof("ecdh_secp256r1_ecpoint_test.json");
  const p384 = wycheproof("ecdh_secp384r1_ecpoint_test.json");

  it("05.6 X25519: every valid Wycheproof case gives the expected shared secret", function () {
    const cases = x25519.cases.filter((c) => c.result === "valid");
    expect(cases.length).to.be.greaterThan(200);
    expect(disagreements(NamedGroup.x25519, cases, (c) => unhex(c.private), (c) => ({ shared: c.shared }))).to.deep.equal([]);
  });

  it("05.6 X25519: 'acceptable' Wycheproof cases — twist and non-canonical points are computed as RFC 7748 says; an all-zero result is refused", function () {
    // Wycheproof marks these acceptable: RFC 7748 lets an implementation take points on the twist and
    // non-canonical encodings (§5: the top bit is ignored, values ≥ p are reduced), and §6.1 lets it refuse a
    // result of all zeros. TLS must refuse that one (RFC 8422 §5.11), so we do: illegal_parameter.
    const acceptable = x25519.cases.filter((c) => c.result === "acceptable");
    const zero = acceptable.filter((c) => isZero(c.shared));
    const rest = acceptable.filter((c) => !isZero(c.shared));
    expect(zero.length, "cases with an all-zero shared secret").to.be.greaterThan(20);
    expect(rest.length).to.be.greaterThan(200);
    expect(disagreements(NamedGroup.x25519, zero, (c) => unhex(c.private), () => ILLEGAL), "all-zero results").to.deep.equal([]);
    expect(disagreements(NamedGroup.x25519, rest, (c) => unhex(c.private), (c) => ({ shared: c.shared })), "the others").to.deep.equal([]);
    expect(x25519.cases.filter((c) => c.result === "invalid"), "the file has no invalid cases").to.deep.equal([]);
  });

  it("05.6 P-256: every valid Wycheproof case gives the shared x coordinate", function () {
    const cases = p256.cases.filter((c) => c.result === "valid");
    expect(cases.length).to.be.greaterThan(300);
    expect(disagreements(NamedGroup.secp256r1, cases, p256Private, (c) => ({ shared: c.shared }))).to.deep.equal([]);
  });

  it("05.6 P-256: every invalid Wycheproof point (off the curve, wrong curve, bad encoding) is illegal_parameter; so is the acceptable compressed one", function () {
    // We offer only uncompressed points (RFC 8422 §5.1.2), so a compressed point is refused, though Wycheproof
    // would accept it as a point.
    const invalid = p256.cases.filter((c) => c.result === "invalid");
    const compressed = p256.cases.filter((c) => c.result === "acceptable");
    expect(invalid.length).to.be.greaterThan(20);
    expect(compressed.every((c) => c.flags.includes("CompressedPoint"))).to.equal(true);
    expect(disagreements(NamedGroup.secp256r1, [...invalid, ...compressed], p256Private, () => ILLEGAL)).to.deep.equal([]);
  });

  it("05.6 P-384: the valid Wycheproof cases give the shared x coordinate (48 bytes)", function () {
    const cases = p384Sample(p384.cases.filter((c) => c.result === "valid"));
    expect(cases.length).to.be.greaterThan(120);
    expect(disagreements(NamedGroup.secp384r1, cases, p384Private, (c) => ({ shared: c.shared }))).to.deep.equal([]);
  });

  it("05.6 P-384: every invalid Wycheproof point (off the curve, wrong curve, bad encoding) is illegal_parameter; so is the acceptable compressed one", function () {
    const invalid = p384.cases.filter((c) => c.result === "invalid");
    const compressed = p384.cases.filter((c) => c.result === "acceptable");
    expect(invalid.length).to.be.greaterThan(15);
    expect(compressed.every((c) => c.flags.includes("CompressedPoint"))).to.equal(true);
    expect(disagreements(NamedGroup.secp384r1, [...invalid, ...compressed], p384Private, () => ILLEGAL)).to.deep.equal([]);
  });

  it("05.6 P-384 with chapter 01's makeKeyPair agrees with Node's ECDH (the x coordinate, 48 bytes); a P-256 point on P-384 is illegal_parameter", function () {
    for (let i = 0; i < 5; i++) {
      const ours = makeKeyPair(NamedGroup.secp384r1);
      const theirs = crypto.createECDH("secp384r1");
      const theirPublic = new Uint8Array(theirs.generateKeys());
      const expected = new Uint8Array(theirs.computeSecret(Buffer.from(ours.publicKey)));
      expect(expected.length).to.equal(48);
      expectBytes(ecdhePremaster(NamedGroup.secp384r1, ours.privateKey, theirPublic), expected, "P-384 premaster (the x coordinate)");
    }
    const p = makeKeyPair(NamedGroup.secp384r1);
    const onP256 = makeKeyPair(NamedGroup.secp256r1).publicKey;
    expectTlsError(() => ecdhePremaster(NamedGroup.secp384r1, p.privateKey, onP256), { alert: AlertDescription.illegal_parameter });
    const offCurve = p.publicKey.slice();
    offCurve[96] = offCurve[96]! ^ 1;
    expectTlsError(() => ecdhePremaster(NamedGroup.secp384r1, p.privateKey, offCurve), { alert: AlertDescription.illegal_parameter });
    expectTlsError(() => ecdhePremaster(NamedGroup.secp384r1, p.privateKey.subarray(16), p.publicKey), { alert: AlertDescription.internal_error });
  });

  it("05.6 X25519 with chapter 01's makeKeyPair agrees with Node's X25519, both ways", function () {
    for (let i = 0; i < 20; i++) {
      const ours = makeKeyPair(NamedGroup.x25519);
      const theirs = crypto.generateKeyPairSync("x25519");
      const theirPublic = new Uint8Array(theirs.publicKey.export({ format: "der", type: "spki" })).subarray(X25519_SPKI_PREFIX.length);
      const expected = new Uint8Array(crypto.diffieHellman({
        privateKey: theirs.privateKey,
        publicKey: crypto.createPublicKey({ key: Buffer.from(cat(X25519_SPKI_PREFIX, ours.publicKey)), format: "der", type: "spki" }),
      }));
      expectBytes(ecdhePremaster(NamedGroup.x25519, ours.privateKey, theirPublic), expected, "X25519 premaster");
      expectBytes(nodeX25519(ours.privateKey, theirPublic), expected, "Node with our private key");
    }
  });

  it("05.6 P-256 with chapter 01's makeKeyPair agrees with Node's ECDH (the x coordinate, 32 bytes), both ways", function () {
    for (let i = 0; i < 20; i++) {
      const ours = makeKeyPair(NamedGroup.secp256r1);
      const theirs = crypto.createECDH("prime256v1");
      const theirPublic = new Uint8Array(theirs.generateKeys());
      const expected = new Uint8Array(theirs.computeSecret(Buffer.from(ours.publicKey)));
      expect(expected.length).to.equal(32);
      expectBytes(ecdhePremaster(NamedGroup.secp256r1, ours.privateKey, theirPublic), expected, "P-256 premaster (the x coordinate)");
    }
  });

  it("05.6 the illustrated TLS 1.2 connection: the client's x25519 key and the server's public key give the published premaster", function () {
    const il = illustrated();
    expectBytes(ecdhePremaster(NamedGroup.x25519, il.clientPrivate, il.serverPublic), il.premaster, "premaster (values.json)");
  });

  it("05.6 refuses public values of the wrong size or form: illegal_parameter", function () {
    const x = makeKeyPair(NamedGroup.x25519);
    const p = makeKeyPair(NamedGroup.secp256r1);
    const illegal = { alert: AlertDescription.illegal_parameter };
    for (const bad of [new Uint8Array(0), new Uint8Array(31).fill(9), new Uint8Array(33).fill(9), p.publicKey]) {
      expectTlsError(() => ecdhePremaster(NamedGroup.x25519, x.privateKey, bad), illegal);
    }
    const compressed = cat([0x02 | (p.publicKey[64]! & 1)], p.publicKey.subarray(1, 33));
    const hybrid = cat([0x06 | (p.publicKey[64]! & 1)], p.publicKey.subarray(1)); // X9.62 hybrid form
    for (const bad of [new Uint8Array(0), Uint8Array.of(0), compressed, hybrid, p.publicKey.subarray(0, 64), cat(p.publicKey, [0]), x.publicKey]) {
      expectTlsError(() => ecdhePremaster(NamedGroup.secp256r1, p.privateKey, bad), illegal);
    }
    // (x, y+1) is not on the curve
    const offCurve = p.publicKey.slice();
    offCurve[64] = offCurve[64]! ^ 1;
    expectTlsError(() => ecdhePremaster(NamedGroup.secp256r1, p.privateKey, offCurve), illegal);
  });

  it("05.6 a curve we did not offer is illegal_parameter; our own private key of the wrong size is internal_error", function () {
    const x = makeKeyPair(NamedGroup.x25519);
    for (const group of [NamedGroup.secp521r1, NamedGroup.x448, NamedGroup.ffdhe2048, 0]) {
      expectTlsError(() => ecdhePremaster(group, x.privateKey, x.publicKey), { alert: AlertDescription.illegal_parameter });
    }
    expectTlsError(() => ecdhePremaster(NamedGroup.x25519, x.privateKey.subarray(1), x.publicKey), { alert: AlertDescription.internal_error });
    const p = makeKeyPair(NamedGroup.secp256r1);
    expectTlsError(() => ecdhePremaster(NamedGroup.secp256r1, cat(p.privateKey, [1]), p.publicKey), { alert: AlertDescription.internal_error });
  });
});
