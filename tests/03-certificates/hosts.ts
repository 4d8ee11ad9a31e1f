// Exercise 03.16, matchesHost, graded against Node's X509Certificate checkHost and checkIP with RFC 9525's rules
// (no partial or multi-label wildcards, never the subject CN), on the test PKI's leaves and on a leaf made here
// with wildcards of every shape. Where RFC 9525 and Node disagree, the test asserts the RFC's answer and says why.
import { expect } from "chai";
import fc from "fast-check";
import * as net from "node:net";
import { matchesHost, parseCertificates } from "../../chapters/03-certificates/index.js";
import { NUM_RUNS, assertProperty } from "../support/properties.js";
import { CASES, ODD_SAN, RFC9525, derOf, generated, nodeCert, nodeMatches, one, parsed } from "./chain-oracles.js";
import { readPemCerts } from "../support/pki.js";

describe("03.16 matchesHost", function () {
  this.timeout(20000);
  const hostCases = CASES.filter((c) => c.host !== undefined || c.ip !== undefined);

  it(`03.16 agrees with Node's checkHost / checkIP (RFC 9525 rules) on the ${hostCases.length} host and IP cases of the manifest`, function () {
    for (const c of hostCases) {
      const name = (c.host ?? c.ip)!;
      const leafDer = readPemCerts(c.chain)[0]!;
      expect(matchesHost(parsed(c.chain)[0]!, name), `${c.name}: ${name}`).to.equal(nodeMatches(leafDer, name));
    }
  });

  // Node's answers, with RFC 9525's options, for names against *.wild.test + exact.test and against the usual SAN.
  const DNS_TABLE: { leaf: string; names: string[] }[] = [
    {
      leaf: "leaf-wildcard",
      names: ["a.wild.test", "A.WILD.TEST", "a.b.wild.test", "wild.test", "x.wild.test.evil", "exact.test", "EXACT.TEST", "exact.test.evil", "xexact.test", "localhost", "-.wild.test"],
    },
    {
      leaf: "leaf-rsa",
      names: ["localhost", "LOCALHOST", "www.example.test", "WWW.Example.Test", "example.test", "a.www.example.test", "localhost.test", "local", "a.wild.test", "exact.test"],
    },
    { leaf: "leaf-partial-wildcard", names: ["foo.part.test", "f.part.test", "part.test", "x.part.test"] },
    { leaf: "wrong-host", names: ["other.test", "localhost", "Other.Test", "x.other.test"] },
  ];
  for (const { leaf, names } of DNS_TABLE) {
    it(`03.16 ${leaf}: ${names.length} DNS names answered as Node's checkHost (one label per *, case-insensitive, SAN only)`, function () {
      for (const name of names) expect(matchesHost(one(leaf), name), name).to.equal(nodeMatches(derOf(leaf), name));
    });
  }

  it("03.16 ignores one trailing dot (a.wild.test., exact.test., localhost.: the same absolute name, RFC 1034 §3.1), where Node's checkHost does not", function () {
    for (const [leaf, name] of [["leaf-wildcard", "a.wild.test."], ["leaf-wildcard", "exact.test."], ["leaf-rsa", "localhost."], ["leaf-rsa", "WWW.EXAMPLE.TEST."]] as const) {
      // Node (OpenSSL's X509_check_host) compares the name with its dot; the same name without it matches.
      expect(nodeMatches(derOf(leaf), name.slice(0, -1)), `Node, ${name.slice(0, -1)}`).to.equal(true);
      expect(matchesHost(one(leaf), name), name).to.equal(true);
    }
    for (const [leaf, name] of [["leaf-wildcard", "a.wild.test.."], ["leaf-rsa", "localhost.."], ["leaf-rsa", "."]] as const) {
      expect(matchesHost(one(leaf), name), `${name}: only one dot is dropped`).to.equal(false);
    }
  });

  it("03.16 .wild.test (an empty first label) does not match *.wild.test; Node's checkHost reads a leading dot as 'any subdomain' (an OpenSSL convention)", function () {
    expect(nodeCert(derOf("leaf-wildcard")).checkHost(".wild.test", RFC9525), "Node").to.equal("*.wild.test");
    expect(matchesHost(one("leaf-wildcard"), ".wild.test")).to.equal(false);
    expect(matchesHost(one("leaf-wildcard"), "")).to.equal(false);
  });

  it("03.16 IP addresses on leaf-rsa and leaf-p256 (SAN 127.0.0.1 and ::1) answered as Node's checkIP", function () {
    const ips = ["127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "0::1", "::0:1", "0:0:0:0:0:0:0.0.0.1", "127.0.0.2", "::ffff:127.0.0.1", "::127.0.0.1", "::", "0.0.0.0", "::2"];
    for (const leaf of ["leaf-rsa", "leaf-p256"]) {
      for (const ip of ips) expect(matchesHost(one(leaf), ip), `${leaf}: ${ip}`).to.equal(nodeMatches(derOf(leaf), ip));
    }
    // An address never matches a dNSName, nor a name an iPAddress: leaf-wildcard has no iPAddress entries.
    expect(matchesHost(one("leaf-wildcard"), "127.0.0.1")).to.equal(nodeMatches(derOf("leaf-wildcard"), "127.0.0.1"));
  });

  it("03.16 [::1] in brackets (the URL form) matches ::1, which Node's checkIP refuses as 'Invalid IP'; 127.000.000.001 is no IP for parseIp (leading zeros), though Node's checkIP accepts it", function () {
    expect(() => nodeCert(derOf("leaf-rsa")).checkIP("[::1]"), "Node").to.throw(/Invalid IP/);
    expect(matchesHost(one("leaf-rsa"), "[::1]")).to.equal(true);
    expect(matchesHost(one("leaf-rsa"), "[::2]")).to.equal(false);
    expect(nodeCert(derOf("leaf-rsa")).checkIP("127.000.000.001"), "Node").to.equal("127.000.000.001");
    expect(matchesHost(one("leaf-rsa"), "127.000.000.001")).to.equal(false);
  });

  it("03.16 cn-only (CN=localhost, no subjectAltName) matches no name: the CN is never a fallback (Node with subject 'never' agrees)", function () {
    const der = derOf("cn-only");
    // The certificate really is named localhost in its CN: Node finds it when told to look at the subject.
    expect(nodeCert(der).checkHost("localhost", { subject: "always" }), "Node with subject 'always'").to.equal("localhost");
    expect(nodeCert(der).subjectAltName, "Node: no subjectAltName").to.equal(undefined);
    for (const name of ["localhost", "LOCALHOST", "127.0.0.1", "::1"]) {
      expect(nodeMatches(der, name), `Node: ${name}`).to.equal(false);
      expect(matchesHost(one("cn-only"), name), name).to.equal(false);
    }
  });

  it(`03.16 wildcards of every shape (SAN ${ODD_SAN.join(", ")}, made here) answered as Node's checkHost`, async function () {
    const { odd } = await generated();
    const cert = parseCertificates([odd])[0]!;
    const names = [
      "a.test", "test", "x.test", "a.z.b.test", "a.b.test", "xy.c.test", "x.c.test", "c.test", "yx.d.test", "x.d.test", "q.e.test", "e.test",
      "anything", "mixed.case.test", "MIXED.CASE.TEST", "kelvin.test", "KELVIN.TEST", "a.kelvin.test", "A.Kelvin.Test", "a.b.kelvin.test",
    ];
    for (const name of names) expect(matchesHost(cert, name), name).to.equal(nodeMatches(odd, name));
  });

  // A bug found while writing these tests (see /tmp/ch03/review-chain.md): String.toLowerCase is Unicode case
  // folding, and the Kelvin sign K (U+212A) lowercases to the ASCII "k". RFC 9525 §6.3 and RFC 4343 compare
  // ASCII case-insensitively, so "\u212Aelvin.test" is not kelvin.test. Enable once chain.ts lowercases ASCII only.
  it("03.16 compares case in ASCII only: the Kelvin sign K (U+212A) is not k, and İ is no label for a wildcard (Node's checkHost agrees)", async function () {
    const { odd } = await generated();
    const cert = parseCertificates([odd])[0]!;
    for (const name of ["\u212Aelvin.test", "a.\u212Aelvin.test", "\u0130.kelvin.test"]) {
      expect(nodeMatches(odd, name), `Node: ${JSON.stringify(name)}`).to.equal(false);
      expect(matchesHost(cert, name), JSON.stringify(name)).to.equal(false);
    }
  });

  it(`03.16 agrees with Node's checkHost on ${NUM_RUNS} random host names (letters, digits, hyphens) over six leaves`, async function () {
    const { odd } = await generated();
    const leaves = ["leaf-wildcard", "leaf-rsa", "leaf-partial-wildcard", "cn-only", "wrong-host"].map((n) => ({ der: derOf(n), cert: one(n) }));
    leaves.push({ der: odd, cert: parseCertificates([odd])[0]! });
    const known = ["a", "b", "x", "wild", "WILD", "test", "Test", "exact", "localhost", "LocalHost", "www", "example", "part", "foo", "f", "other", "kelvin", "e", "case", "Mixed"];
    const label = fc.oneof(fc.constantFrom(...known), fc.stringMatching(/^[A-Za-z0-9-]{1,6}$/));
    const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join(".")).filter((h) => net.isIP(h) === 0);
    assertProperty(
      fc.property(fc.nat(leaves.length - 1), host, (i, name) => {
        const { der, cert } = leaves[i]!;
        expect(matchesHost(cert, name), name).to.equal(nodeMatches(der, name));
      }),
    );
  });

  it(`03.16 agrees with Node's checkIP on ${NUM_RUNS} random IPv4 and IPv6 addresses (and spellings of 127.0.0.1 and ::1)`, function () {
    const leaves = ["leaf-rsa", "leaf-p256", "leaf-wildcard"].map((n) => ({ der: derOf(n), cert: one(n) }));
    const spellings = ["127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "0:0::1", "::0:0:1", "::ffff:127.0.0.1", "::ffff:7f00:1", "127.0.0.2", "::"];
    const ip = fc.oneof(fc.constantFrom(...spellings), fc.ipV4(), fc.ipV6());
    assertProperty(
      fc.property(fc.nat(leaves.length - 1), ip, (i, address) => {
        const { der, cert } = leaves[i]!;
        expect(matchesHost(cert, address), address).to.equal(nodeMatches(der, address));
      }),
    );
  });

  it(`03.16 never throws, only answers true or false, on ${NUM_RUNS} random strings`, function () {
    const certs = ["leaf-wildcard", "leaf-rsa", "leaf-partial-wildcard", "cn-only"].map(one);
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(".", "*", "-", ":", "[", "]", "a", "A", "0", "f", "\u0130", "\u212A", " "), maxLength: 24 }),
    );
    assertProperty(
      fc.property(fc.nat(certs.length - 1), text, (i, name) => {
        expect(matchesHost(certs[i]!, name), JSON.stringify(name)).to.be.a("boolean");
      }),
    );
  });
});
