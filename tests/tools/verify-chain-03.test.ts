// verify-chain on certificates that decode but break RFC 5280: the command must call them invalid (exit 1, the
// failed check and the alert on the last line), not unreadable input (exit 2). The certificates are x509-limbo's
// (tests/vectors/x509-limbo/limbo.json), properly signed, so that only the rule they break can refuse them.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface LimboCase {
  id: string;
  peer_certificate: string;
  untrusted_intermediates: string[];
  trusted_certs: string[];
  expected_peer_name: { value: string } | null;
}
const limbo = (id: string): LimboCase => {
  const all = JSON.parse(readFileSync(join(ROOT, "tests/vectors/x509-limbo/limbo.json"), "utf8")) as { testcases: LimboCase[] };
  const found = all.testcases.find((c) => c.id === id);
  if (found === undefined) throw new Error(`limbo.json has no case ${id}`);
  return found;
};

describe("verify-chain on certificates that decode but break RFC 5280 (x509-limbo)", function () {
  this.timeout(30000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "tls-by-hand-verify-chain-03-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [id, check] of [
    ["rfc5280::duplicate-extensions", "extensions"],
    ["rfc5280::nc::excluded-dns-match", "name constraints"],
  ] as const) {
    it(`${id}: exit 1, "${check} failed" and bad_certificate on the last line`, function () {
      const c = limbo(id);
      const chain = join(dir, "chain.pem");
      const roots = join(dir, "roots.pem");
      writeFileSync(chain, [c.peer_certificate, ...c.untrusted_intermediates].join("\n"));
      writeFileSync(roots, c.trusted_certs.join("\n"));
      const args = ["bin/tls-by-hand.mjs", "verify-chain", chain, "--ca", roots, "--host", c.expected_peer_name!.value, "--at", "2024-01-01T00:00:00Z", "--impl", "solutions"];
      const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 20000 });
      expect(r.status, `${r.stdout}${r.stderr}`).to.equal(1);
      expect(r.stdout.trim().split("\n").pop()).to.match(new RegExp(`^✗ invalid: ${check} failed for .*\\(alert bad_certificate\\)$`));
      expect(r.stdout, "the path is shown").to.match(/\[0\] .*\(leaf;/);
      expect(r.stderr).to.equal("");
    });
  }
});
