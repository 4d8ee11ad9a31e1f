// The command-line tool on a learner's unfinished or buggy code, in scratch copies: it says which chapters a
// command needs, which exercise is not done and where, and how to run it anyway (exit 3, not 1, which is the
// peer's or the protocol's failure); an error in the learner's code names the exercise and the .ts line;
// a misspelt flag is bad usage (exit 2); the README's explain examples work when pasted whole.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, listExercises } from "../../tools/exercises.js";
import { startNodeServer, type NodeServer } from "../support/peers.js";
import { learnerCopy, tool, toolInProcess, type LearnerCopy } from "./learner-copy.js";

describe("the command-line tool on unfinished code", function () {
  let stubs: LearnerCopy;
  let server: NodeServer;
  before(async () => {
    stubs = learnerCopy("stubs");
    server = await startNodeServer();
  });
  after(async () => {
    stubs.remove();
    await server?.close();
  });

  it("hello on untouched stubs: names the chapters it needs and the first exercise not done, exit 3", async () => {
    const r = await tool(stubs.dir, ["hello", `https://localhost:${server.port}`]);
    expect(r.status, r.stderr).to.equal(3);
    const m = /^hello needs chapters 00–02; exercise (\d\d\.\d+) is not done yet \((chapters\/\S+\.ts):(\d+)\)\.$/m.exec(r.stderr);
    expect(m, r.stderr).to.not.equal(null);
    const ex = listExercises().find((e) => e.id === m![1])!;
    expect(`${ex.file}:${ex.line}`).to.equal(`${m![2]}:${m![3]}`);
    expect(r.stderr).to.include("Run it on the reference code with `--impl solutions`, or with your chapter 02 on the reference chapters 00–01 with `--reference-earlier`.");
  });

  it("hello --reference-earlier runs the reference 00–01 and the learner's 02: it reaches the server, then names 02's exercise", async () => {
    const r = await tool(stubs.dir, ["hello", `https://localhost:${server.port}`, "--reference-earlier"]);
    expect(r.status, r.stderr).to.equal(3);
    expect(r.stdout).to.match(/→ ClientHello to localhost:\d+/);
    expect(r.stderr).to.match(/^hello needs chapters 00–02; exercise 02\.\d+ is not done yet \(chapters\/02-server-hello\/\S+\.ts:\d+\)\.$/m);
    expect(r.stderr).not.to.include("--reference-earlier`");
    const reference = await tool(stubs.dir, ["hello", `https://localhost:${server.port}`, "--impl", "solutions"]);
    expect(reference.status, reference.stderr).to.equal(0);
    expect(reference.stdout).to.match(/negotiated: TLS1_3/);
  });

  it("verify-chain and connect say what they need too", async () => {
    const pki = (f: string) => join(ROOT, "tests/fixtures/pki", f);
    const chain = await tool(stubs.dir, ["verify-chain", pki("chain-leaf-rsa.pem"), "--ca", pki("roots.pem"), "--at", "2030-06-01T00:00:00Z"]);
    expect(chain.status, chain.stderr).to.equal(3);
    expect(chain.stderr).to.match(/^verify-chain needs chapters 00, 01 and 03; exercise \d\d\.\d+ is not done yet/m);
    const connect = await tool(stubs.dir, ["connect", `https://localhost:${server.port}/`, "--tls", "1.2"]);
    expect(connect.status, connect.stderr).to.equal(3);
    expect(connect.stderr).to.match(/^connect needs chapters 00–06; exercise \d\d\.\d+ is not done yet/m);
    // Mutual TLS: the client certificate is signed by the learner's chapters 10 and 11, so --cert needs them too;
    // with --reference-earlier only chapter 11 is the learner's, and its 11.18 is named.
    const fixture = (f: string) => join(ROOT, "tests/fixtures", f);
    const mutual = ["connect", `https://localhost:${server.port}/`, "--cert", fixture("client-ecdsa.crt"), "--key", fixture("client-ecdsa.key")];
    const cert = await tool(stubs.dir, mutual);
    expect(cert.status, cert.stderr).to.equal(3);
    expect(cert.stderr).to.match(/^connect needs chapters 00–11; exercise \d\d\.\d+ is not done yet/m);
    const certEarlier = await tool(stubs.dir, [...mutual, "--reference-earlier"]);
    expect(certEarlier.status, certEarlier.stderr).to.equal(3);
    expect(certEarlier.stderr).to.match(/^connect needs chapters 00–11; exercise 11\.18 is not done yet/m);
  });
});

describe("the command-line tool on a learner's bug", function () {
  let copy: LearnerCopy;
  before(() => (copy = learnerCopy("finished")));
  after(() => copy.remove());

  it("explain: a TypeError in 00.2's code names 00.2 and the .ts line, exit 3", async () => {
    const line = copy.mistake("00-bytes/presentation.ts", "00.2", ["const bytes = r.bytes(size, field);", "return (bytes as unknown as { readUIntBE(o: number, n: number): number }).readUIntBE(0, size); // not a Buffer"], "not a Buffer");
    const r = await tool(copy.dir, ["explain", "15030300020228"]);
    expect(r.status, r.stderr).to.equal(3);
    expect(r.stderr).to.include("error: TypeError: ");
    expect(r.stderr).to.include(`  at readUint (chapters/00-bytes/presentation.ts:${line})`);
    expect(r.stderr).to.include(`explain needs chapters 00–02; this error is in your code of exercise 00.2 (chapters/00-bytes/presentation.ts:${line}).`);
    copy.undo();
  });

  it("exits 2 for an unknown flag of any command, naming the nearest", async () => {
    // The first as a learner runs it; the others through the same main() in this process (a Node start-up less each).
    for (const [i, [args, expected]] of ([
      [["hello", "https://localhost:1", "--tsl", "1.2"], "unknown option --tsl (did you mean --tls?)"],
      [["connect", "https://localhost:1/", "--tracee"], "unknown option --tracee (did you mean --trace?)"],
      [["verify-chain", "x.pem", "--ca", "y.pem", "--hots", "localhost"], "unknown option --hots (did you mean --host?)"],
      [["explain", "150303", "--verbose"], "unknown option --verbose"],
      [["hello", "https://localhost:1", "--refrence-earlier"], "unknown option --refrence-earlier (did you mean --reference-earlier?)"],
      [["helo", "https://localhost:1"], 'unknown command "helo" (did you mean hello?)'],
    ] as const).entries()) {
      const r = i === 0 ? await tool(copy.dir, [...args]) : await toolInProcess([...args]);
      expect(r.status, args.join(" ")).to.equal(2);
      expect(r.stderr, args.join(" ")).to.include(expected);
    }
  });

  it("the README's explain examples work when pasted whole", async () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const examples = readme.split("\n").filter((l) => /^(npx tls-by-hand explain |\S.*\| npx tls-by-hand explain)/.test(l));
    expect(examples.length, "explain examples in the README").to.be.at.least(2);
    for (const line of examples) {
      const command = line.replace(/npx tls-by-hand/g, `"${process.execPath}" bin/tls-by-hand.mjs --impl solutions`);
      const r = await tool(copy.dir, ["-c", command], { command: ["sh"] });
      expect(r.status, `${line}\n${r.stderr}`).to.equal(0);
      expect(r.stdout, line).to.include("content type:");
    }
  });
});
