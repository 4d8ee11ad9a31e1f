// Exercises 03.17 (findIssuers) and 03.18 (buildPaths), graded against `openssl verify -show_chain` on the test
// PKI's chains and on chains made here, and Node's X509Certificate (checkIssued: names and key identifiers; verify:
// the signature on every link). Every path must be one that Node confirms link by link and that ends at a trust
// anchor; where several exist, the first must be the one openssl builds (it too looks in the trust store first).
import { expect } from "chai";
import fc from "fast-check";
import { X509Certificate } from "node:crypto";
import { readdirSync } from "node:fs";
import { toHex } from "../../lib/hex.js";
import { type Certificate, MAX_PATHS, MAX_PATH_LENGTH, buildPaths, findIssuers, parseCertificates } from "../../chapters/03-certificates/index.js";
import { PKI_DIR, VALIDATION_TIME, readPemCerts } from "../support/pki.js";
import { NUM_RUNS, assertProperty } from "../support/properties.js";
import {
  A,
  CASES,
  TWINS,
  derOf,
  expectLinksConfirmedByNode,
  expectRefused,
  expectSameAsOpenSsl,
  generated,
  nodeCert,
  nodeSubject,
  one,
  opensslOnManifest,
  opensslVerify,
  outcome,
  parsed,
  roots,
} from "./chain-oracles.js";

/** The first path buildPaths finds: the one validateChain tries first, and the one openssl builds. */
const firstPathOf = (leaf: Certificate, intermediates: Certificate[], anchors: Certificate[]): Certificate[] => buildPaths(leaf, intermediates, anchors)[0]!;

/** Every certificate file of the test PKI, each certificate once, with Node's reading. */
function pkiPool(): { der: Uint8Array; cert: Certificate; x: X509Certificate; name: string }[] {
  const seen = new Set<string>();
  const pool: { der: Uint8Array; cert: Certificate; x: X509Certificate; name: string }[] = [];
  for (const f of readdirSync(PKI_DIR).filter((n) => n.endsWith(".crt")).sort()) {
    const der = readPemCerts(f)[0]!;
    if (seen.has(toHex(der))) continue;
    seen.add(toHex(der));
    pool.push({ der, cert: parsed(f)[0]!, x: nodeCert(der), name: f });
  }
  return pool;
}

const names = (path: Certificate[]): string[] => path.map((c) => c.subject.text);

/**
 * What path building promises (not validation): each certificate's issuer, as Node reads it, is the next one's subject,
 * and Node's checkIssued agrees wherever the next one may sign certificates at all (checkIssued also refuses an issuer
 * whose keyUsage lacks keyCertSign, which is for checkIssuer, 03.21, to refuse); the last is a trust anchor.
 */
function expectLinksByName(path: Certificate[], anchors: Uint8Array[]): void {
  for (let i = 0; i + 1 < path.length; i++) {
    const child = nodeCert(path[i]!.der);
    const issuer = nodeCert(path[i + 1]!.der);
    expect(child.issuer, `path[${i}]'s issuer (Node)`).to.equal(issuer.subject);
    const usage = path[i + 1]!.extensions.keyUsage;
    if (usage === undefined || usage.includes("keyCertSign")) expect(child.checkIssued(issuer), `Node's checkIssued for path[${i}] by path[${i + 1}]`).to.equal(true);
  }
  expect(anchors.map((a) => toHex(a)), "the path ends at a trust anchor").to.include(toHex(path[path.length - 1]!.der));
}

describe("03.17 findIssuers", function () {
  it("03.17 agrees with Node's checkIssued (issuer name, and the key identifiers where both are there) on every pair of certificates in the test PKI", function () {
    const pool = pkiPool();
    let pairs = 0;
    for (const child of pool) {
      for (const candidate of pool) {
        // OpenSSL's X509_check_issued also refuses a candidate whose keyUsage lacks keyCertSign; findIssuers leaves
        // that to checkIssuer (03.21), so such candidates are not compared here.
        if (candidate.cert.extensions.keyUsage !== undefined && !candidate.cert.extensions.keyUsage.includes("keyCertSign")) continue;
        const ours = findIssuers(child.cert, [candidate.cert], []).length === 1;
        expect(ours, `is ${candidate.name} a possible issuer of ${child.name}? (Node's checkIssued: ${child.x.checkIssued(candidate.x)})`).to.equal(child.x.checkIssued(candidate.x));
        if (ours) pairs++;
      }
    }
    expect(pairs, "issuer pairs").to.be.greaterThan(20);
  });

  it("03.17 lists the trust anchors first, then the certificates sent, in the order sent, each once", function () {
    const newRoot = one("new-root");
    const cross = one("new-root-cross");
    const r3 = one("r3");
    // R3 names "New Root X1" as its issuer: both the self-signed one and the cross-signed copy carry that name and key.
    const found = findIssuers(r3, [cross, one("inter-ec"), cross], [one("old-root"), newRoot, newRoot]);
    expect(found.map((c) => toHex(c.der)), "new-root (trusted), then new-root-cross (sent)").to.deep.equal([toHex(newRoot.der), toHex(cross.der)]);
    for (const c of found) expect(nodeCert(r3.der).checkIssued(nodeCert(c.der)), `Node: ${c.subject.text} issued R3`).to.equal(true);
  });

  it("03.17 tells the two R3s apart by key identifier: only the re-keyed one may have issued leaf-rekeyed (Node's checkIssued agrees)", function () {
    const leaf = one("leaf-rekeyed");
    const [oldKey, newKey] = [one("r3"), one("r3-new-key")];
    expect(oldKey.subject.text, "the same name").to.equal(newKey.subject.text);
    expect(findIssuers(leaf, [oldKey, newKey], roots()).map((c) => toHex(c.der))).to.deep.equal([toHex(newKey.der)]);
    expect(nodeCert(leaf.der).checkIssued(nodeCert(oldKey.der)), "Node: the old R3").to.equal(false);
    expect(nodeCert(leaf.der).checkIssued(nodeCert(newKey.der)), "Node: the re-keyed R3").to.equal(true);
  });

  it("03.17 goes by the name alone where a key identifier is missing: self-signed-leaf (no authorityKeyIdentifier) is its own candidate, as Node's names say", function () {
    const self = one("self-signed-leaf");
    const x = nodeCert(self.der);
    expect(x.issuer, "Node: its issuer is its subject").to.equal(x.subject);
    expect(self.extensions.authorityKeyIdentifier, "no authorityKeyIdentifier").to.equal(undefined);
    expect(findIssuers(self, [self], []).length, "self-signed-leaf among the sent").to.equal(1);
    expect(findIssuers(one("leaf-rsa"), [one("inter-pss"), one("root-p384")], roots()), "no certificate carries leaf-rsa's issuer name").to.deep.equal([]);
  });
});

describe("03.18 buildPaths", function () {
  const rootDers = (): Uint8Array[] => readPemCerts("roots.pem");

  it("03.18 chain-leaf-under-sub sends inter-ec before inter-sub; the path is still leaf → inter-sub → inter-ec → root-rsa (Node's checkIssued, openssl's error depth)", async function () {
    const [leaf, ...rest] = parsed("chain-leaf-under-sub.pem");
    const path = firstPathOf(leaf!, rest, roots());
    const expected = ["leaf-under-sub", "inter-sub", "inter-ec", "root-rsa"].map((n) => nodeSubject(derOf(n)));
    expect(path.map((c) => c.subject.text)).to.deep.equal(expected);
    expectLinksConfirmedByNode(path, rootDers(), "chain-leaf-under-sub");
    // openssl stops on this chain (inter-ec's pathlen 0), naming the certificate at depth 2: inter-ec.
    const chain = readPemCerts("chain-leaf-under-sub.pem");
    const ssl = await opensslVerify({ leaf: chain[0]!, untrusted: chain, host: "localhost", at: VALIDATION_TIME });
    expect(ssl.errors[0]!.name).to.equal("X509_V_ERR_PATH_LENGTH_EXCEEDED");
    expect(path[ssl.errors[0]!.depth]!.subject.text).to.equal(ssl.errors[0]!.subject);
  });

  it("03.18 every good chain of the manifest: the path openssl -show_chain prints is among the paths, each link confirmed by Node", async function () {
    const verdicts = await opensslOnManifest();
    const seen = new Set<string>();
    CASES.forEach((c, i) => {
      if (!verdicts[i]!.ok || seen.has(c.chain)) return;
      seen.add(c.chain);
      const [leaf, ...rest] = parsed(c.chain);
      const paths = buildPaths(leaf!, rest, parsed(c.roots));
      const path = paths.find((p) => names(p).join("\n") === verdicts[i]!.chain.join("\n"));
      if (path === undefined) return expect.fail(`${c.chain}: openssl's path ${verdicts[i]!.chain.join(" → ")} is not among ${paths.map((p) => names(p).join(" → ")).join("; ")}`);
      expectLinksConfirmedByNode(path, readPemCerts(c.roots), c.chain);
    });
    expect(seen.size, "good chains checked").to.be.greaterThan(5);
  });

  it("03.18 ignores unrelated intermediates and finds the issuer anywhere in the bundle (openssl -show_chain agrees)", async function () {
    const extras = ["inter-pss", "inter-noca", "root-untrusted", "inter-sub", "inter-ec", "inter-nokeycertsign", "root-p384"];
    for (const leafName of ["leaf-rsa", "leaf-p384", "leaf-sha512"]) {
      const path = firstPathOf(one(leafName), extras.map(one), roots());
      const ssl = await opensslVerify({ leaf: derOf(leafName), untrusted: extras.map(derOf), host: "localhost", at: VALIDATION_TIME });
      expect(ssl.ok, ssl.output).to.equal(true);
      expect(path.map((c) => c.subject.text), leafName).to.deep.equal(ssl.chain);
      expectLinksConfirmedByNode(path, rootDers(), leafName);
    }
  });

  it("03.18 a trusted root given as the server's certificate is a path of one (openssl -show_chain: depth 0 only)", async function () {
    for (const name of ["root-rsa", "root-p384"]) {
      const path = firstPathOf(one(name), [], roots());
      // Without -purpose: a root's keyUsage (keyCertSign, cRLSign) is not a TLS server's, which is not buildPath's concern.
      const ssl = await opensslVerify({ leaf: derOf(name), purpose: false, at: VALIDATION_TIME });
      expect(ssl.ok, ssl.output).to.equal(true);
      expect(path.map((c) => c.subject.text), name).to.deep.equal(ssl.chain);
      expect(toHex(path[0]!.der)).to.equal(toHex(derOf(name)));
    }
  });

  it("03.18 trusts only the roots it is given: chain-leaf-rsa with root-p384 alone is unknown_ca (openssl with -CAfile root-p384: no local issuer)", async function () {
    const [leaf, ...rest] = parsed("chain-leaf-rsa.pem");
    const o = outcome(() => ({ path: firstPathOf(leaf!, rest, [one("root-p384")]), checks: [] }));
    const chain = readPemCerts("chain-leaf-rsa.pem");
    const ssl = await opensslVerify({ leaf: chain[0]!, untrusted: chain, roots: [derOf("root-p384")], at: VALIDATION_TIME });
    expectSameAsOpenSsl(o, ssl, [derOf("root-p384")], "chain-leaf-rsa under root-p384");
    expectRefused(o, "path", A.unknown_ca, "chain-leaf-rsa under root-p384");
  });

  it("03.18 a self-signed leaf, and an untrusted root the server sends along, are unknown_ca naming that certificate (openssl: DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN)", async function () {
    const cases: [string, string][] = [
      ["chain-self-signed-leaf.pem", "self-signed-leaf"],
      ["chain-untrusted-with-root.pem", "root-untrusted"],
      ["root-untrusted.crt", "root-untrusted"],
    ];
    for (const [file, named] of cases) {
      const [leaf, ...rest] = parsed(file);
      const o = outcome(() => ({ path: firstPathOf(leaf!, rest, roots()), checks: [] }));
      const e = expectRefused(o, "path", A.unknown_ca, file);
      expect(e.certificate, file).to.equal(nodeSubject(derOf(named)));
      const chain = readPemCerts(file);
      expectSameAsOpenSsl(o, await opensslVerify({ leaf: chain[0]!, untrusted: chain, at: VALIDATION_TIME }), rootDers(), file);
    }
  });

  it("03.18 a missing intermediate is unknown_ca naming the certificate whose issuer is missing (openssl: UNABLE_TO_GET_ISSUER_CERT_LOCALLY at its depth)", async function () {
    const cases: { leaf: string; sent: string[]; named: string }[] = [
      { leaf: "leaf-rsa", sent: [], named: "leaf-rsa" },
      { leaf: "leaf-rsa", sent: ["inter-pss", "inter-sub"], named: "leaf-rsa" },
      { leaf: "leaf-under-sub", sent: ["inter-sub"], named: "inter-sub" },
      { leaf: "untrusted", sent: [], named: "untrusted" },
    ];
    for (const { leaf, sent, named } of cases) {
      const what = `${leaf} with [${sent.join(", ")}]`;
      const o = outcome(() => ({ path: firstPathOf(one(leaf), sent.map(one), roots()), checks: [] }));
      const e = expectRefused(o, "path", A.unknown_ca, what);
      expect(e.certificate, what).to.equal(nodeSubject(derOf(named)));
      const ssl = await opensslVerify({ leaf: derOf(leaf), untrusted: sent.map(derOf), at: VALIDATION_TIME });
      expectSameAsOpenSsl(o, ssl, rootDers(), what);
    }
  });

  it("03.18 a name loop (A issued by B, B by A) is unknown_ca (openssl: no local issuer); sent five times over, it stops at MAX_PATH_LENGTH", async function () {
    const g = await generated();
    const once = parseCertificates([g.loopLeaf, g.loopA, g.loopB]);
    const o = outcome(() => ({ path: firstPathOf(once[0]!, once.slice(1), roots()), checks: [] }));
    const ssl = await opensslVerify({ leaf: g.loopLeaf, untrusted: [g.loopA, g.loopB] });
    expectSameAsOpenSsl(o, ssl, readPemCerts("roots.pem"), "loop sent once");
    // Five copies of each, parsed separately: a path-builder must not walk the circle for ever.
    const many = parseCertificates([g.loopLeaf, ...Array.from({ length: 5 }, () => [g.loopA, g.loopB]).flat()]);
    const manyOutcome = outcome(() => ({ path: firstPathOf(many[0]!, many.slice(1), roots()), checks: [] }));
    expectRefused(manyOutcome, "path", A.unknown_ca, "loop sent five times");
    expect(await opensslVerify({ leaf: g.loopLeaf, untrusted: many.slice(1).map((c) => c.der) }), "openssl on the repeated loop").to.include({ ok: false });
  });

  it(`03.18 ${MAX_PATH_LENGTH - 2} intermediates (a path of MAX_PATH_LENGTH = ${MAX_PATH_LENGTH}) are built as openssl builds them; ${MAX_PATH_LENGTH} intermediates are past the limit: unknown_ca (openssl has no such limit)`, async function () {
    const g = await generated();
    const sent = g.long.slice(0, MAX_PATH_LENGTH - 2).reverse(); // root-side first: the builder must search
    const path = firstPathOf(parseCertificates([g.leafUnderShort])[0]!, parseCertificates(sent), roots());
    const ssl = await opensslVerify({ leaf: g.leafUnderShort, untrusted: sent, host: "localhost" });
    expect(ssl.ok, ssl.output).to.equal(true);
    expect(path.map((c) => c.subject.text)).to.deep.equal(ssl.chain);
    expect(path.length).to.equal(MAX_PATH_LENGTH);
    expectLinksConfirmedByNode(path, readPemCerts("roots.pem"), `${MAX_PATH_LENGTH - 2} intermediates`);
    // Our own limit: RFC 5280 sets none, and openssl's default depth (100) allows this chain.
    const all = parseCertificates(g.long);
    const o = outcome(() => ({ path: firstPathOf(parseCertificates([g.leafUnderAll])[0]!, all, roots()), checks: [] }));
    expectRefused(o, "path", A.unknown_ca, `${MAX_PATH_LENGTH} intermediates`);
  });

  it("03.18 the cross-signed new root (chain-leaf-cross): two paths, the trust store's new root first, as openssl -show_chain builds it; the second through the cross-sign to the old root", async function () {
    const [leaf, ...rest] = parsed("chain-leaf-cross.pem");
    const anchors = parsed("roots-cross.pem");
    const paths = buildPaths(leaf!, rest, anchors);
    const ssl = await opensslVerify({ leaf: leaf!.der, untrusted: rest.map((c) => c.der), roots: anchors.map((c) => c.der), host: "localhost", at: VALIDATION_TIME });
    expect(ssl.ok, ssl.output).to.equal(true);
    expect(paths.map(names)).to.deep.equal([
      ssl.chain,
      ["leaf-cross", "r3", "new-root-cross", "old-root"].map((n) => nodeSubject(derOf(n))),
    ]);
    for (const path of paths) expectLinksConfirmedByNode(path, anchors.map((c) => c.der), names(path).join(" → "));
  });

  it("03.18 backtracks past a stale intermediate (chain-leaf-cross-stale sends the expired R3 first): the path through it comes first, the current R3's next", function () {
    const [leaf, ...rest] = parsed("chain-leaf-cross-stale.pem");
    const anchors = parsed("roots-cross.pem");
    const paths = buildPaths(leaf!, rest, anchors);
    expect(paths.map((p) => p.map((c) => toHex(c.der)))).to.deep.equal([
      ["leaf-cross", "r3-by-old", "old-root"].map((n) => toHex(derOf(n))),
      ["leaf-cross", "r3", "new-root"].map((n) => toHex(derOf(n))),
    ]);
    for (const path of paths) expectLinksConfirmedByNode(path, anchors.map((c) => c.der), names(path).join(" → "));
  });

  it(`03.18 gives up quickly on ${TWINS} look-alike CAs (all named "twin", each self-issued): unknown_ca without a trusted twin, at most MAX_PATHS (${MAX_PATHS}) paths with one`, async function () {
    const g = await generated();
    const twins = parseCertificates(g.twins);
    const [leaf] = parseCertificates([g.twinLeaf]);
    let start = performance.now();
    expectRefused(outcome(() => ({ path: firstPathOf(leaf!, twins, roots()), checks: [] })), "path", A.unknown_ca, "no twin trusted");
    expect(performance.now() - start, "milliseconds without a trusted twin").to.be.below(2000);
    start = performance.now();
    const paths = buildPaths(leaf!, twins, [twins[TWINS - 1]!]);
    expect(performance.now() - start, "milliseconds with one trusted twin").to.be.below(2000);
    expect(paths.length, "paths").to.be.within(1, MAX_PATHS);
    for (const path of paths) {
      expect(path.length, "a path's length").to.be.at.most(MAX_PATH_LENGTH);
      expect(new Set(path.map((c) => toHex(c.der))).size, "no certificate twice in a path").to.equal(path.length);
      expectLinksConfirmedByNode(path, [g.twins[TWINS - 1]!], "twins");
    }
  });

  it(`03.18 on ${NUM_RUNS} random bundles from the test PKI: every path links each certificate to one its issuer names (Node), ends at a trust anchor and repeats no certificate; no path is unknown_ca`, function () {
    this.timeout(30000);
    const pool = pkiPool();
    const anchors = ["root-rsa.crt", "root-p384.crt", "old-root.crt", "new-root.crt"].map((f) => pool.findIndex((p) => p.name === f));
    assertProperty(
      fc.property(fc.nat(pool.length - 1), fc.array(fc.nat(pool.length - 1), { maxLength: 6 }), fc.subarray(anchors, { minLength: 1 }), (leafAt, sent, trusted) => {
        const o = outcome(() => {
          const paths = buildPaths(pool[leafAt]!.cert, sent.map((i) => pool[i]!.cert), trusted.map((i) => pool[i]!.cert));
          expect(paths.length, "paths").to.be.within(1, MAX_PATHS);
          for (const path of paths) {
            expect(toHex(path[0]!.der), "every path starts at the leaf").to.equal(toHex(pool[leafAt]!.der));
            expect(new Set(path.map((c) => toHex(c.der))).size, "no certificate twice").to.equal(path.length);
            expectLinksByName(path, trusted.map((i) => pool[i]!.der));
          }
          return { path: paths[0]!, checks: [] };
        });
        if (!o.ok) expect(o.error.check, o.error.message).to.equal("path");
      }),
      NUM_RUNS,
    );
  });
});
