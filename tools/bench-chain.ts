// Chain validation speed: chapter 03's validateChain (parse three certificates, build the path, check an
// RSA-2048 PKCS#1 v1.5 signature and a P-256 ECDSA signature, dates, constraints, host name) against Node's
// native X509Certificate doing the same parse and the same two signature checks, in one process, as a ratio.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isNotImplemented } from "../lib/errors.js";
import { readPemCertificates } from "../lib/pem.js";
import { ROOT } from "./exercises.js";

type Chapter03 = typeof import("../solutions/03-certificates/index.js");

const PKI = join(ROOT, "tests/fixtures/pki");
/** leaf-rsa (RSA-2048) ← inter-ec (P-256, signs the leaf with ECDSA) ← root-rsa (RSA-2048, signs inter-ec with PKCS#1 v1.5). */
const CHAIN = "chain-leaf-rsa.pem";
const AT = new Date("2030-06-01T00:00:00Z");

/** Median milliseconds per call of `f`, over `rounds` rounds of `perRound` calls, after a warm-up. */
function perCall(f: () => void, perRound = 20, rounds = 7): number {
  for (let i = 0; i < perRound; i++) f();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6 / perRound);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
}

export async function benchChain(log: (line: string) => void): Promise<void> {
  const chainPem = readFileSync(join(PKI, CHAIN), "utf8");
  const rootsPem = readFileSync(join(PKI, "roots.pem"), "utf8");
  const chainDer = readPemCertificates(chainPem);
  const rootsDer = readPemCertificates(rootsPem);

  // Node: parse the three certificates and check both links, as natively as it gets.
  const rootRsa = rootsDer[0]!;
  const native = perCall(() => {
    const [leaf, inter] = chainDer.map((d) => new X509Certificate(d));
    const root = new X509Certificate(rootRsa);
    if (!leaf!.verify(inter!.publicKey) || !inter!.verify(root.publicKey)) throw new Error("Node rejected the chain");
  });
  log(`${"Node X509Certificate: parse 3 + verify 2".padEnd(48)} ${native.toFixed(3)} ms per chain   (baseline)`);

  const impls: [string, string][] = [
    ["reference validateChain (solutions/)", "../solutions/03-certificates/index.js"],
    ["your validateChain (chapters/)", "../chapters/03-certificates/index.js"],
  ];
  for (const [label, path] of impls) {
    const ch03 = (await import(path)) as Chapter03;
    const run = () => {
      const chain = ch03.parseCertificates(chainDer);
      const roots = ch03.parseCertificates(rootsDer);
      ch03.validateChain(chain, { roots, host: "localhost", at: AT });
    };
    try {
      run();
    } catch (e) {
      if (isNotImplemented(e)) {
        log(`${label.padEnd(48)} not measured: exercise ${e.exercise} is not done yet`);
        continue;
      }
      throw e;
    }
    const t = perCall(run);
    log(`${label.padEnd(48)} ${t.toFixed(3)} ms per chain   ${(t / native).toFixed(1)}× Node   (goal ≤ 20×)`);
  }
}

if (process.argv[1]?.endsWith("bench-chain.ts")) await benchChain(console.log);
