// Exercises 05.4 and 05.5, finite-field DH, graded against outside references only: RFC 7919 Appendix A parsed from
// the RFC text, the groups `openssl genpkey -genparam -pkeyopt group:ffdheNNNN` makes, Node's MODP groups
// (crypto.getDiffieHellman), and Node's DiffieHellman (OpenSSL) as the other party of every exchange.
import { expect } from "chai";
import crypto from "node:crypto";
import { AlertDescription, NamedGroup } from "../../lib/constants.js";
import {
  FFDHE_GENERATOR,
  FFDHE_GROUPS,
  checkDhParams,
  dhKeyPair,
  dhPremaster,
  identifyFfdheGroup,
} from "../../chapters/05-dhe-key-exchange/index.js";
import { expectTlsError } from "../support/properties.js";
import { bigOf, bytesOf, hex, minimalBytes, nodeGroup, opensslGroup, rfc7919Groups } from "./vectors.js";
import { expectBytes, expectCode, expectFields, expectSame } from "../support/expect-bytes.js";

const illegal = (field: string) => ({ alert: AlertDescription.illegal_parameter, field });

/** A Node DH party in the group (p, g), optionally with a given private key. */
function nodeParty(p: Uint8Array, g: Uint8Array, privateKey?: Uint8Array): crypto.DiffieHellman {
  const dh = crypto.createDiffieHellman(Buffer.from(p), Buffer.from(g));
  if (privateKey !== undefined) dh.setPrivateKey(Buffer.from(privateKey));
  dh.generateKeys(); // with a private key set, OpenSSL only computes the public value from it
  return dh;
}

const ffdhe2048 = () => {
  const group = rfc7919Groups()[0]!;
  return { p: group.p, g: group.g, pBytes: bytesOf(group.p, 256), gBytes: Uint8Array.of(2) };
};

describe("05.4 RFC 7919 groups and the server's DH values", function () {
  it("05.4 identifyFfdheGroup names each RFC 7919 prime parsed from the RFC text, and FFDHE_GROUPS holds exactly those", function () {
    const groups = rfc7919Groups();
    for (const g of groups) {
      expect(g.g, `${g.name}'s generator`).to.equal(FFDHE_GENERATOR);
      expect(FFDHE_GROUPS.get(g.registryValue) === g.p, `FFDHE_GROUPS.get(${g.registryValue}) is ${g.name}'s p from the RFC`).to.equal(true);
      expectCode(identifyFfdheGroup(g.p, g.g), g.registryValue, NamedGroup, `the group of ${g.name}'s p and g`);
    }
    expectSame([...FFDHE_GROUPS.keys()].sort(), groups.map((g) => g.registryValue).sort(), "the groups of FFDHE_GROUPS", { table: NamedGroup });
    expectSame(groups.map((g) => g.registryValue), [
      NamedGroup.ffdhe2048,
      NamedGroup.ffdhe3072,
      NamedGroup.ffdhe4096,
      NamedGroup.ffdhe6144,
      NamedGroup.ffdhe8192,
    ], "test data: RFC 7919's groups", { table: NamedGroup });
  });

  it("05.4 identifyFfdheGroup agrees with openssl's own ffdhe groups (openssl genpkey -genparam -pkeyopt group:…)", function () {
    for (const [name, code] of Object.entries({
      ffdhe2048: NamedGroup.ffdhe2048,
      ffdhe3072: NamedGroup.ffdhe3072,
      ffdhe4096: NamedGroup.ffdhe4096,
      ffdhe6144: NamedGroup.ffdhe6144,
      ffdhe8192: NamedGroup.ffdhe8192,
    })) {
      const { p, g } = opensslGroup(name);
      expect(identifyFfdheGroup(p, g), name).to.equal(code);
    }
  });

  it("05.4 identifyFfdheGroup: Node's MODP groups (RFC 3526, e.g. modp14), another generator or a nearby number are no RFC 7919 group", function () {
    for (const name of ["modp2", "modp5", "modp14", "modp15", "modp16", "modp17", "modp18"]) {
      const { p, g } = nodeGroup(name);
      expect(identifyFfdheGroup(p, g), name).to.equal(undefined);
    }
    const { p } = ffdhe2048();
    expect(identifyFfdheGroup(p, 5n), "ffdhe2048's p with g = 5").to.equal(undefined);
    expect(identifyFfdheGroup(p - 2n, 2n), "p − 2").to.equal(undefined);
    expect(identifyFfdheGroup(p + 2n, 2n), "p + 2").to.equal(undefined);
  });

  it("05.4 checkDhParams accepts ffdhe2048 and Node's modp14 with a Node-made Ys, and returns the three numbers", function () {
    for (const group of [ffdhe2048(), nodeGroup("modp14")]) {
      const ys = new Uint8Array(nodeParty(group.pBytes, group.gBytes).getPublicKey());
      const checked = checkDhParams({ p: group.pBytes, g: group.gBytes, ys });
      expectSame(checked, { p: group.p, g: group.g, ys: bigOf(ys) }, "the numbers");
    }
    // Leading zero bytes do not change a number.
    const { pBytes, gBytes, p } = ffdhe2048();
    const ys = Uint8Array.of(0, 0, 7);
    const checked = checkDhParams({ p: Uint8Array.of(0, ...pBytes), g: Uint8Array.of(0, ...gBytes), ys });
    expectFields(checked, { p, ys: 7n }, "the numbers, leading zeros ignored");
  });

  it("05.4 checkDhParams: Ys = 0, 1, p−1, p, p+1 and beyond are illegal_parameter (RFC 7919 §5.1: 1 < Ys < p−1)", function () {
    const { p, pBytes, gBytes } = ffdhe2048();
    for (const ys of [0n, 1n, p - 1n, p, p + 1n, (1n << 2048n) - 1n]) {
      expectTlsError(() => checkDhParams({ p: pBytes, g: gBytes, ys: minimalBytes(ys) }), illegal("dh_Ys"));
    }
    checkDhParams({ p: pBytes, g: gBytes, ys: minimalBytes(2n) });
    checkDhParams({ p: pBytes, g: gBytes, ys: minimalBytes(p - 2n) });
  });

  it("05.4 checkDhParams: g = 0, 1, p−1, p is illegal_parameter; an even p is illegal_parameter", function () {
    const { p, pBytes } = ffdhe2048();
    for (const g of [0n, 1n, p - 1n, p]) expectTlsError(() => checkDhParams({ p: pBytes, g: minimalBytes(g), ys: Uint8Array.of(5) }), illegal("dh_g"));
    expectTlsError(() => checkDhParams({ p: minimalBytes(p + 1n), g: Uint8Array.of(2), ys: Uint8Array.of(5) }), illegal("dh_p"));
  });

  it("05.4 checkDhParams: a p under 2048 bits (Node's 1024-bit modp2, a 2047-bit number) is insufficient_security; over 8192 bits illegal_parameter", function () {
    const modp2 = nodeGroup("modp2");
    const ys = new Uint8Array(nodeParty(modp2.pBytes, modp2.gBytes).getPublicKey());
    const weak = { alert: AlertDescription.insufficient_security, field: "dh_p" };
    expectTlsError(() => checkDhParams({ p: modp2.pBytes, g: modp2.gBytes, ys }), weak);
    expectTlsError(() => checkDhParams({ p: minimalBytes((1n << 2046n) + 1n), g: Uint8Array.of(2), ys: Uint8Array.of(5) }), weak);
    checkDhParams({ p: minimalBytes((1n << 2047n) + 1n), g: Uint8Array.of(2), ys: Uint8Array.of(5) }); // 2048 bits: fine
    checkDhParams({ p: minimalBytes((1n << 8191n) + 1n), g: Uint8Array.of(2), ys: Uint8Array.of(5) }); // 8192 bits: fine
    expectTlsError(() => checkDhParams({ p: minimalBytes((1n << 8192n) + 1n), g: Uint8Array.of(2), ys: Uint8Array.of(5) }), illegal("dh_p"));
  });
});

describe("05.5 the client's DH key pair and the premaster", function () {
  it("05.5 dhKeyPair: Yc = g^x mod p as Node computes it for the same x, p's length in bytes, x in 2 … p−2", function () {
    for (const group of [ffdhe2048(), nodeGroup("modp14"), { ...nodeGroup("modp15") }]) {
      for (let i = 0; i < 3; i++) {
        const pair = dhKeyPair(group.p, group.g);
        expect(pair.privateKey >= 2n && pair.privateKey <= group.p - 2n, "x in 2 … p−2").to.equal(true);
        expect(pair.publicKey.length, "Yc is as long as p").to.equal(group.pBytes.length);
        const node = nodeParty(group.pBytes, group.gBytes, minimalBytes(pair.privateKey));
        expectBytes(pair.publicKey, bytesOf(bigOf(new Uint8Array(node.getPublicKey())), group.pBytes.length), "Yc (expected: Node's public value for your x)");
      }
    }
  });

  it("05.5 dhKeyPair draws from the random source and rejects out-of-range draws instead of reducing them", function () {
    const { p, g } = ffdhe2048();
    const draws = [
      new Uint8Array(256).fill(0xff), // 2^2048 − 1 > p − 2: rejected
      bytesOf(p - 1n, 256), // p − 1: rejected
      bytesOf(1n, 256), // 1: rejected
      bytesOf(12345678901234567890n, 256), // accepted
    ];
    const sizes: number[] = [];
    const random = (n: number) => {
      sizes.push(n);
      return draws.shift() ?? new Uint8Array(n);
    };
    const pair = dhKeyPair(p, g, random);
    expect(sizes, "byte counts asked for").to.deep.equal([256, 256, 256, 256]);
    expect(pair.privateKey === 12345678901234567890n, "x is the first draw in range").to.equal(true);
    const node = nodeParty(bytesOf(p, 256), Uint8Array.of(2), minimalBytes(pair.privateKey));
    expectBytes(pair.publicKey, bytesOf(bigOf(new Uint8Array(node.getPublicKey())), 256), "public key g^x mod p, 256 bytes (expected: Node's DiffieHellman with your private key)");
    // Bits above p's length are masked, not a reason to reject: a 2048-bit p takes 256 bytes, all of them used.
    const small = dhKeyPair(p, g, () => bytesOf(2n, 256));
    expect(small.privateKey === 2n).to.equal(true);
    // A source that never gives a usable number is our own problem, reported, not an endless loop.
    expectTlsError(() => dhKeyPair(p, g, (n) => new Uint8Array(n)), { alert: AlertDescription.internal_error });
  });

  it("05.5 dhPremaster equals Node's computeSecret for the same keys, minus Node's leading zero bytes; both directions", function () {
    for (const group of [ffdhe2048(), nodeGroup("modp14")]) {
      for (let i = 0; i < 3; i++) {
        const ours = dhKeyPair(group.p, group.g);
        const theirs = nodeParty(group.pBytes, group.gBytes);
        const z = new Uint8Array(theirs.computeSecret(Buffer.from(ours.publicKey)));
        const expected = minimalBytes(bigOf(z)); // RFC 5246 §8.1.2: leading zero bytes stripped
        const premaster = dhPremaster(ours.privateKey, bigOf(new Uint8Array(theirs.getPublicKey())), group.p);
        expectBytes(premaster, expected, "DHE premaster");
      }
    }
  });

  it("05.5 dhPremaster strips leading zeros: a Z that Node gives with a 00 in front (found by trying, ~1 in 256) comes out shorter", function () {
    const { p, pBytes, gBytes } = ffdhe2048();
    const a = nodeParty(pBytes, gBytes);
    // Node pads Z to p's length. Try fresh partners until Z has a zero byte in front.
    let z = new Uint8Array(0);
    let b: crypto.DiffieHellman | undefined;
    for (let tries = 0; tries < 5000 && (b === undefined || z[0] !== 0); tries++) {
      b = nodeParty(pBytes, gBytes);
      z = new Uint8Array(a.computeSecret(b.getPublicKey()));
    }
    expect(z[0], "found a Z with a leading zero byte").to.equal(0);
    expect(z.length, "Node's Z is as long as p").to.equal(256);
    const premaster = dhPremaster(bigOf(new Uint8Array(a.getPrivateKey())), bigOf(new Uint8Array(b!.getPublicKey())), p);
    const zeros = z.findIndex((x) => x !== 0);
    expect(premaster.length, `Z had ${zeros} leading zero byte(s)`).to.equal(256 - zeros);
    expectBytes(premaster, z.subarray(zeros), "DHE premaster (leading zeros stripped, RFC 5246 §8.1.2)");
  });

  it("05.5 dhPremaster: Ys = 0, 1, p−1, p is illegal_parameter (1 and p−1 would make Z 1 or ±1, whatever our key)", function () {
    const { p, g } = ffdhe2048();
    const { privateKey } = dhKeyPair(p, g);
    for (const ys of [0n, 1n, p - 1n, p]) {
      const e = expectTlsError(() => dhPremaster(privateKey, ys, p), { alert: AlertDescription.illegal_parameter });
      expect(e.field, "names the field").to.be.a("string");
    }
  });
});
