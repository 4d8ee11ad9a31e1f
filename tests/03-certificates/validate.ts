// Exercise 03.24, validateChain and validatePath: the whole of validation, every step in order over every path, the
// first path that holds wins. Graded against `openssl verify` on every case of the test PKI's manifest (the same
// verdict, the same path, the same first failure on the same certificate), Node's X509Certificate on random
// chains, the 2021 story of a cross-signed root replayed with the test PKI, and the chains that Node's tls and
// `openssl s_server` send on 127.0.0.1 (decoded by 03.26, so those tests carry its number).
import { expect } from "chai";
import fc from "fast-check";
import { readdirSync } from "node:fs";
import { ProtocolVersion } from "../../lib/constants.js";
import { alertName } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import { decodeCertificate, firstMatchPath, parseCertificates, validateChain, validatePath } from "../../chapters/03-certificates/index.js";
import { type NodeServer, type OpenSslServer, startNodeServer, startOpenSslServer } from "../support/peers.js";
import { PKI_DIR, VALIDATION_TIME, pkiPath, readPemCerts, readPkiText } from "../support/pki.js";
import { NUM_RUNS, assertProperty } from "../support/properties.js";
import {
  A,
  CASES,
  derOf,
  expectChecksEndWithFailure,
  expectLinksConfirmedByNode,
  expectRefused,
  expectSameAsOpenSsl,
  nodeCert,
  nodeMatches,
  nodeSubject,
  opensslOnManifest,
  opensslVerify,
  outcome,
  parsed,
  roots,
  serverCertificateMessage,
  validateCase,
} from "./chain-oracles.js";

describe("03.24 validateChain", function () {
  this.timeout(20000);
  for (const [i, c] of CASES.entries()) {
    const target = c.host !== undefined ? ` for ${c.host}` : c.ip !== undefined ? ` for ${c.ip}` : "";
    if (c.opensslDiffers === undefined) {
      it(`03.24 ${c.name}${target}: the verdict of openssl verify (manifest: ${c.opensslError === "ok" ? "ok" : c.opensslError.replace("X509_V_ERR_", "")})`, async function () {
        const ssl = (await opensslOnManifest())[i]!;
        expectSameAsOpenSsl(validateCase(c), ssl, readPemCerts(c.roots), c.name);
      });
    } else {
      it(`03.24 ${c.name}${target}: refused for the name, where openssl verify accepts (${c.opensslDiffers.split(" (")[0]!.split(", ")[0]}): RFC 9525 §6.3, as Node's checkHost with RFC options`, function () {
        expect(c.expect, "the manifest's RFC verdict").to.equal("invalid");
        const e = expectRefused(validateCase(c), "hostname", A.bad_certificate, c.name);
        const leafDer = readPemCerts(c.chain)[0]!;
        expect(e.certificate).to.equal(nodeSubject(leafDer));
        expect(nodeMatches(leafDer, (c.host ?? c.ip)!), "Node's checkHost").to.equal(false);
        expectChecksEndWithFailure(e, c.name);
      });
    }
  }

  it("03.24 a valid chain's checks: a passed signature check for every certificate but the anchor and a validity check for every one, named as openssl names them", async function () {
    const verdicts = await opensslOnManifest();
    let seen = 0;
    CASES.forEach((c, i) => {
      const ssl = verdicts[i]!;
      if (!ssl.ok || c.opensslDiffers !== undefined) return;
      seen++;
      const o = validateCase(c);
      if (!o.ok) return expect.fail(`${c.name}: ${o.error.message}`);
      const n = ssl.chain.length;
      const indices = (check: string) => o.checks.filter((k) => k.check === check).map((k) => k.index).sort((a, b) => a - b);
      expect(indices("signature"), `${c.name}: signature checks`).to.deep.equal(Array.from({ length: n - 1 }, (_, k) => k));
      expect(indices("validity"), `${c.name}: validity checks`).to.deep.equal(Array.from({ length: n }, (_, k) => k));
      expect(o.checks.filter((k) => !k.ok), `${c.name}: every check passed`).to.deep.equal([]);
      for (const k of o.checks) expect(k.subject, `${c.name}: check ${k.check} at ${k.index}`).to.equal(ssl.chain[k.index]);
      if (c.host !== undefined || c.ip !== undefined) expect(indices("hostname"), `${c.name}: the name is checked on the leaf`).to.deep.equal([0]);
    });
    expect(seen, "valid cases").to.be.greaterThan(10);
  });

  it("03.24 valid at notBefore exactly; certificate_expired one second before it and one second after notAfter (Node's validFrom/validTo; openssl -attime agrees)", async function () {
    const chain = readPemCerts("chain-leaf-p256.pem");
    const leaf = nodeCert(chain[0]!);
    const notBefore = Date.parse(leaf.validFrom);
    const notAfter = Date.parse(leaf.validTo);
    expect(notBefore, "Node's validFrom").to.equal(Date.parse("2025-01-01T00:00:00Z"));
    const times = [notBefore - 1000, notBefore, notBefore + 1000, notAfter - 1000, notAfter + 1000];
    for (const t of times) {
      const at = new Date(t);
      const o = outcome(() => validateChain(parsed("chain-leaf-p256.pem"), { roots: roots(), host: "localhost", at }));
      const ssl = await opensslVerify({ leaf: chain[0]!, untrusted: chain, host: "localhost", at });
      expectSameAsOpenSsl(o, ssl, readPemCerts("roots.pem"), at.toISOString());
      if (t === notBefore - 1000 || t === notAfter + 1000) expectRefused(o, "validity", A.certificate_expired, at.toISOString());
    }
  });

  it("03.24 still valid at notAfter exactly: RFC 5280 §4.1.2.5 makes the validity period inclusive (openssl verify already calls it expired)", function () {
    for (const file of ["chain-leaf-p256.pem", "chain-leaf-rsa.pem"]) {
      const at = new Date(Date.parse(nodeCert(readPemCerts(file)[0]!).validTo));
      expect(at.toISOString()).to.equal("2125-01-01T00:00:00.000Z");
      const o = outcome(() => validateChain(parsed(file), { roots: roots(), host: "localhost", at }));
      if (!o.ok) expect.fail(`${file} at ${at.toISOString()}: ${o.error.message}`);
    }
    // The expired leaf ends 2029-01-01T00:00:00Z (Node's validTo), inside its issuers' periods.
    const expiredTo = new Date(Date.parse(nodeCert(derOf("expired")).validTo));
    expect(validateChain(parsed("chain-expired.pem"), { roots: roots(), host: "localhost", at: expiredTo }).path.length).to.equal(3);
    const later = new Date(expiredTo.getTime() + 1000);
    const e = expectRefused(outcome(() => validateChain(parsed("chain-expired.pem"), { roots: roots(), at: later })), "validity", A.certificate_expired, "expired + 1 s");
    expect(e.certificate).to.equal(nodeSubject(derOf("expired")));
  });

  it(`03.24 ${NUM_RUNS} random chains from the fixtures (subsets, orders, repeats, anchors, names, times): a path Node confirms, or only a CertificateError`, function () {
    this.timeout(30000);
    // Every certificate of the PKI once, parsed once; chains are lists of indices into it.
    const byHex = new Map<string, number>();
    const pool: Uint8Array[] = [];
    const files = readdirSync(PKI_DIR).filter((f) => f.endsWith(".crt") || f.endsWith(".pem")).sort();
    for (const f of files) {
      for (const der of readPemCerts(f)) {
        if (!byHex.has(toHex(der))) {
          byHex.set(toHex(der), pool.length);
          pool.push(der);
        }
      }
    }
    const certs = parseCertificates(pool);
    const nodeCerts = pool.map(nodeCert);
    const index = (der: Uint8Array): number => byHex.get(toHex(der))!;
    const rootIndices = ["root-rsa", "root-p384", "root-untrusted"].map((n) => index(derOf(n)));
    const manifestChains = [...new Set(CASES.map((c) => c.chain))].map((f) => readPemCerts(f).map(index));
    const anyIndex = fc.nat(pool.length - 1);
    // a real chain: its leaf, then its intermediates (mostly all of them) and some strangers, in any order
    const strangers = [...rootIndices, index(derOf("inter-ec")), index(derOf("inter-sub")), index(derOf("inter-pss"))];
    const manifestChainArb = fc
      .tuple(fc.constantFrom(...manifestChains), fc.boolean(), fc.subarray(strangers, { maxLength: 3 }))
      .chain(([c, dropSome, extra]) =>
        (dropSome ? fc.subarray(c.slice(1)) : fc.constant(c.slice(1))).chain((kept) => {
          const rest = [...kept, ...extra];
          return fc.shuffledSubarray(rest, { minLength: rest.length }).map((order) => [c[0]!, ...order]);
        }),
      );
    const chainArb = fc.oneof(
      { weight: 3, arbitrary: manifestChainArb },
      { weight: 1, arbitrary: fc.array(anyIndex, { minLength: 1, maxLength: 6 }) },
    );
    const trusted = ["root-rsa", "root-p384"].map((n) => index(derOf(n)));
    const anchorArb = fc.oneof(
      { weight: 4, arbitrary: fc.constant(trusted) },
      { weight: 1, arbitrary: fc.subarray(rootIndices) },
      { weight: 1, arbitrary: fc.uniqueArray(anyIndex, { maxLength: 4 }) },
    );
    const hostArb = fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(undefined, "localhost") },
      { weight: 1, arbitrary: fc.constantFrom("www.example.test", "a.wild.test", "exact.test", "other.test", "127.0.0.1", "::1", "127.0.0.2") },
    );
    const timeArb = fc.oneof(
      { weight: 3, arbitrary: fc.constant(VALIDATION_TIME) },
      { weight: 1, arbitrary: fc.constantFrom(new Date("2024-06-01T00:00:00Z"), new Date("2029-01-01T00:00:00Z"), new Date("2030-12-31T00:00:00Z"), new Date("2126-01-01T00:00:00Z")) },
    );
    const allowed = [A.bad_certificate, A.unsupported_certificate, A.certificate_expired, A.unknown_ca].map(alertName);
    assertProperty(
      fc.property(chainArb, anchorArb, hostArb, timeArb, (chainIdx, anchorIdx, host, at) => {
        const o = outcome(() => validateChain(chainIdx.map((i) => certs[i]!), { roots: anchorIdx.map((i) => certs[i]!), host, at }));
        if (!o.ok) {
          expect(allowed, o.error.message).to.include(alertName(o.error.alert));
          expectChecksEndWithFailure(o.error, o.error.message);
          return;
        }
        expect(toHex(o.path[0]!.der), "the path starts at the server's certificate").to.equal(toHex(pool[chainIdx[0]!]!));
        expectLinksConfirmedByNode(o.path, anchorIdx.map((i) => pool[i]!), "random chain");
        expect(o.checks.filter((k) => !k.ok), "every check passed").to.deep.equal([]);
        for (const cert of o.path) {
          const n = nodeCerts[index(cert.der)]!;
          expect(Date.parse(n.validFrom) <= at.getTime() && at.getTime() <= Date.parse(n.validTo), `${n.subject} valid at ${at.toISOString()}`).to.equal(true);
        }
        const leaf = nodeCerts[index(o.path[0]!.der)]!;
        if (host !== undefined) expect(nodeMatches(Buffer.from(leaf.raw), host), `Node: the leaf is for ${host}`).to.equal(true);
        // Node's keyUsage is the extendedKeyUsage list (undefined when there is none).
        if (o.path.length > 1 && leaf.keyUsage !== undefined) expect(leaf.keyUsage).to.satisfy((u: string[]) => u.includes("1.3.6.1.5.5.7.3.1") || u.includes("2.5.29.37.0"));
      }),
    );
  });

  describe("live: the chain a TLS 1.2 server sends on 127.0.0.1", function () {
    this.timeout(15000);
    let node: NodeServer | undefined;
    let ossl: OpenSslServer | undefined;
    before(async function () {
      [node, ossl] = await Promise.all([
        startNodeServer({ key: readPkiText("leaf-rsa.key"), cert: readPkiText("chain-leaf-rsa.pem"), minVersion: "TLSv1.2", maxVersion: "TLSv1.2" }),
        startOpenSslServer(["-tls1_2", "-cert", pkiPath("leaf-p256.crt"), "-key", pkiPath("leaf-p256.key"), "-cert_chain", pkiPath("inter-ec.crt")]),
      ]);
    });
    after(async function () {
      await Promise.all([node?.close(), ossl?.close()]);
    });

    const servers = [
      { name: "Node's tls with chain-leaf-rsa.pem", port: () => node!.port, path: ["leaf-rsa", "inter-ec", "root-rsa"] },
      { name: "openssl s_server with leaf-p256 and -cert_chain inter-ec", port: () => ossl!.port, path: ["leaf-p256", "inter-ec", "root-rsa"] },
    ];
    for (const server of servers) {
      it(`03.26 ${server.name}: the Certificate message decoded (03.26) holds a chain validateChain finds valid now for localhost and 127.0.0.1, refused for wrong.test (hostname, bad_certificate)`, async function () {
        const message = await serverCertificateMessage(server.port());
        const sent = decodeCertificate(message, ProtocolVersion.TLS1_2).entries.map((e) => e.certData);
        expect(sent.map((d) => toHex(d)), "the certificates sent").to.deep.equal(server.path.slice(0, 2).map((n) => toHex(derOf(n))));
        const chain = parseCertificates(sent);
        for (const host of ["localhost", "127.0.0.1"]) {
          const o = outcome(() => validateChain(chain, { roots: roots(), host }));
          if (!o.ok) expect.fail(`${host}: ${o.error.message}`);
          expect(o.path.map((c) => c.subject.text), host).to.deep.equal(server.path.map((n) => nodeSubject(derOf(n))));
          expectLinksConfirmedByNode(o.path, readPemCerts("roots.pem"), server.name);
        }
        expect(nodeMatches(sent[0]!, "wrong.test"), "Node: wrong.test").to.equal(false);
        const e = expectRefused(outcome(() => validateChain(chain, { roots: roots(), host: "wrong.test" })), "hostname", A.bad_certificate, "wrong.test");
        expect(e.certificate).to.equal(nodeSubject(sent[0]!));
        expectChecksEndWithFailure(e, "wrong.test");
      });
    }
  });

  it("03.24 backtracks: chain-leaf-cross-stale's first path (through the expired R3) fails, the second (the current R3 to the new root) is the one it returns, as openssl -show_chain builds it", async function () {
    const chain = parsed("chain-leaf-cross-stale.pem");
    const anchors = parsed("roots-cross.pem");
    const o = outcome(() => validateChain(chain, { roots: anchors, host: "localhost", at: VALIDATION_TIME }));
    const ssl = await opensslVerify({ leaf: chain[0]!.der, untrusted: chain.map((c) => c.der), roots: anchors.map((c) => c.der), host: "localhost", at: VALIDATION_TIME });
    expectSameAsOpenSsl(o, ssl, anchors.map((c) => c.der), "chain-leaf-cross-stale");
    if (o.ok) expect(o.path.map((c) => toHex(c.der))).to.deep.equal(["leaf-cross", "r3", "new-root"].map((n) => toHex(derOf(n))));
    // The path a client that does not backtrack takes is refused: the stale R3 and the old root have expired.
    const stale = [chain[0]!, chain[1]!, parsed("old-root.crt")[0]!];
    expectRefused(outcome(() => ({ path: stale, checks: validatePath(stale, { roots: anchors, host: "localhost", at: VALIDATION_TIME }) })), "validity", A.certificate_expired, "through the stale R3");
  });

  it("03.24 when every path fails, the first path's failure is the one reported (leaf-cross, both R3s and the cross-signed root, trusting only the old root)", function () {
    const [leaf, stale, current, cross] = ["leaf-cross", "r3-by-old", "r3", "new-root-cross"].map((n) => parsed(`${n}.crt`)[0]!);
    const e = expectRefused(outcome(() => validateChain([leaf!, stale!, current!, cross!], { roots: parsed("roots-old.pem"), at: VALIDATION_TIME })), "validity", A.certificate_expired, "both paths end at the expired old root");
    // First path: leaf, stale R3, old root (index 2); the second would name the old root at index 3.
    expect(e.checks[e.checks.length - 1]!.index, "the failure's index: the old root in the first path").to.equal(2);
    expect(e.certificate).to.equal(nodeSubject(derOf("old-root")));
  });

  it("03.24 replays 2021: an old client (firstMatchPath: the server's certificates first, no backtracking) reaches the expired old root and fails; validateChain reaches the new root and passes; before the old root expired both passed (openssl verify agrees on each)", async function () {
    const chain = parsed("chain-leaf-cross.pem");
    const anchors = parsed("roots-cross.pem");
    const oldClient = firstMatchPath(chain, anchors);
    expect(oldClient.map((c) => toHex(c.der)), "the old client's path").to.deep.equal(["leaf-cross", "r3", "new-root-cross", "old-root"].map((n) => toHex(derOf(n))));
    expectLinksConfirmedByNode(oldClient, anchors.map((c) => c.der), "the old client's path");
    for (const [at, oldOk] of [[new Date("2029-06-01T00:00:00Z"), true], [VALIDATION_TIME, false]] as const) {
      const old = outcome(() => ({ path: oldClient, checks: validatePath(oldClient, { roots: anchors, host: "localhost", at }) }));
      // openssl with only the old root in its store builds exactly the old client's path.
      const ssl = await opensslVerify({ leaf: chain[0]!.der, untrusted: chain.map((c) => c.der), roots: [derOf("old-root")], host: "localhost", at });
      expectSameAsOpenSsl(old, ssl, [derOf("old-root")], `old client at ${at.toISOString()}`);
      expect(old.ok, `old client at ${at.toISOString()}`).to.equal(oldOk);
      const ours = outcome(() => validateChain(chain, { roots: anchors, host: "localhost", at }));
      const sslBoth = await opensslVerify({ leaf: chain[0]!.der, untrusted: chain.map((c) => c.der), roots: anchors.map((c) => c.der), host: "localhost", at });
      expectSameAsOpenSsl(ours, sslBoth, anchors.map((c) => c.der), `validateChain at ${at.toISOString()}`);
    }
  });

  it("03.24 maxIntermediates bounds a path's intermediates, self-issued ones not counted: leaf-under-sub's two are too many for 1 (unknown_ca), leaf-p256's one is fine", function () {
    const sub = outcome(() => validateChain(parsed("chain-leaf-rsa.pem"), { roots: roots(), at: VALIDATION_TIME, maxIntermediates: 0 }));
    expectRefused(sub, "path length", A.unknown_ca, "one intermediate, none allowed");
    const ok = outcome(() => validateChain(parsed("chain-leaf-p256.pem"), { roots: roots(), at: VALIDATION_TIME, maxIntermediates: 1 }));
    if (!ok.ok) expect.fail(ok.error.message);
  });
});
