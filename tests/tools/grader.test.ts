// The grader's scoreboard and results, on a scratch copy of a learner's finished work with one mistake put in:
// a failure is blamed on the exercise whose code threw, with the .ts line the learner edits; every failing test
// of the next exercise is shown (a few, or all with --all); the JSON and JUnit results are whole and valid;
// a misspelt flag is bad usage. Last, the grade server (grade --serve), which grades again and again in one process.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GradeReport } from "../../tools/grade.js";
import { boardLine, gradeServer, learnerCopy, tool, toolInProcess, type LearnerCopy } from "./learner-copy.js";

// 00.1 (writeUint) with a slip: a Uint8Array has no push.
const PUSH = [
  "const out = new Uint8Array(size);",
  "let rest = value;",
  "for (let i = size - 1; i >= 0; i--) {",
  "  (out as unknown as number[]).push(rest % 256); // a Uint8Array has no push",
  "  rest = Math.floor(rest / 256);",
  "}",
  "w.bytes(out, note);",
];
// 00.1 writing little-endian: wrong bytes, no exception.
const LITTLE_ENDIAN = [
  "const out = new Uint8Array(size);",
  "let rest = value;",
  "for (let i = 0; i < size; i++) { // little-endian: the low byte first",
  "  out[i] = rest % 256;",
  "  rest = Math.floor(rest / 256);",
  "}",
  "w.bytes(out, note);",
];

describe("the grader's scoreboard", function () {
  let copy: LearnerCopy;
  let results: string;
  before(() => {
    copy = learnerCopy("finished");
    results = mkdtempSync(join(tmpdir(), "tls-by-hand-grader-test-"));
  });
  afterEach(() => copy.undo());
  after(() => {
    copy.remove();
    rmSync(results, { recursive: true, force: true });
  });
  const env = () => ({ TLS_BY_HAND_RESULTS: results });

  it("blames a TypeError thrown in 00.1's code on 00.1: 00.3, 00.5 and 00.6 wait for it, naming the line", async () => {
    const line = copy.mistake("00-bytes/presentation.ts", "00.1", PUSH, "has no push");
    const r = await tool(copy.dir, ["grade", "00"], { env: env() });
    expect(r.status).to.equal(1);
    expect(boardLine(r.stdout, "00.1")).to.match(/✘ failed/);
    for (const id of ["00.3", "00.5", "00.6"]) {
      expect(boardLine(r.stdout, id)).to.include(`(needs 00.1, which throws TypeError at chapters/00-bytes/presentation.ts:${line})`);
    }
    // The learner's frames, mapped to the .ts file and line they edit, under the failing test.
    expect(r.stdout).to.match(/Next: 00\.1 — chapters\/00-bytes\/presentation\.ts:\d+/);
    expect(r.stdout).to.include(`TypeError: out.push is not a function\n        at writeUint (chapters/00-bytes/presentation.ts:${line})`);
    expect(r.stdout).not.to.match(/\.js:\d+/);
  });

  it("shows several failing tests of the next exercise, then `and N more`; --all shows every one", async () => {
    copy.mistake("00-bytes/presentation.ts", "00.1", LITTLE_ENDIAN, "little-endian");
    const some = await tool(copy.dir, ["grade", "00"], { env: env() });
    const next = some.stdout.slice(some.stdout.indexOf("Next: 00.1"));
    const shown = next.split("\n").filter((l) => l.startsWith("  ✘ 00.1 "));
    expect(shown, next).to.have.length(3);
    const more = /… and (\d+) more failing tests? of 00\.1 \(`npm run grade -- 00 --all` shows every one\)/.exec(next);
    expect(more, next).to.not.equal(null);
    const all = await tool(copy.dir, ["grade", "00", "--all"], { env: env() });
    const listed = all.stdout.slice(all.stdout.indexOf("Next: 00.1")).split("\n").filter((l) => l.startsWith("  ✘ 00.1 "));
    expect(listed).to.have.length(3 + Number(more![1]));
    // Every failure of every exercise not passed, each under its exercise (00.3's vectors hold 00.1's wrong bytes:
    // no exception says whose code is at fault, so 00.3 counts as failed itself).
    expect(all.stdout).to.match(/\n00\.3 ✘ failed — chapters\/00-bytes\/presentation\.ts:\d+\n  ✘ 00\.3 /);
    // An assertion failure's message comes whole (several lines, indented), never cut.
    const report = JSON.parse(readFileSync(join(results, "grade.json"), "utf8")) as GradeReport;
    const failure = report.exercises.find((e) => e.id === "00.1")!.failures!.find((f) => f.message.includes("\n"));
    expect(failure, "a multi-line failure message").to.not.equal(undefined);
    expect(all.stdout).to.include(failure!.message.split("\n").map((l) => (l === "" ? "" : `      ${l}`)).join("\n"));
  });

  it("shows a byte mismatch whole: the offset, both bytes and the field there", async () => {
    // 00.5 writing the record's length in one byte instead of two (RFC 8446 §5.1: uint16 length).
    copy.mistake(
      "00-bytes/records.ts",
      "00.5",
      [
        "writeUint(w, type, 1, `content type: ${type}`);",
        "writeUint(w, version, 2, \"legacy_record_version\");",
        "const fragment = new ByteWriter();",
        "body(fragment);",
        "writeUint(w, fragment.length, 1, \"fragment length\"); // one byte: the length is a uint16",
        "w.append(fragment, \"fragment\");",
      ],
      "one byte",
    );
    const r = await tool(copy.dir, ["grade", "00"], { env: env() });
    const next = r.stdout.slice(r.stdout.indexOf("Next: 00.5"));
    expect(next, r.stdout).to.match(/^Next: 00\.5 /);
    expect(next).to.match(/bytes differ at offset 3 /);
    expect(next).to.match(/field there: +fragment length/);
    expect(next).to.match(/expected +16 03 01 \[00\] c4 /);
    expect(next).to.match(/actual +16 03 01 \[c4\] 01 /);
  });

  it("writes valid JSON with `npm run -s grade -- 00 --json`, and to a file with --json FILE", async () => {
    copy.mistake("00-bytes/presentation.ts", "00.1", LITTLE_ENDIAN, "little-endian");
    const viaNpm = await tool(copy.dir, ["run", "-s", "grade", "--", "00", "--json"], { env: env(), command: ["npm"] });
    const report = JSON.parse(viaNpm.stdout) as GradeReport; // the whole of stdout: no banner, no scoreboard
    // The watchdog's default limits, as it was given them: 10 s per test without returning, 1024 MB.
    expect(report.limits, "the watchdog's limits without --timeout and --max-memory").to.deep.equal({ timeoutSeconds: 10, memoryMb: 1024 });
    expect(report.exercises.find((e) => e.id === "00.1")!.state).to.equal("failed");
    expect(report.exercises.find((e) => e.id === "00.2")!.state).to.equal("passed");
    const file = join(results, "out.json");
    const toFile = await tool(copy.dir, ["grade", "00", "--json", file], { env: env() });
    expect(toFile.stdout).to.include(`(the JSON result is in ${file})`);
    expect((JSON.parse(readFileSync(file, "utf8")) as GradeReport).failed).to.equal(report.failed);
  });

  it("writes JUnit XML with one testcase per test and the whole failure message in each failure", async () => {
    copy.mistake("00-bytes/presentation.ts", "00.1", PUSH, "has no push");
    await tool(copy.dir, ["grade", "00"], { env: env() });
    const xml = readFileSync(join(results, "junit.xml"), "utf8");
    const report = JSON.parse(readFileSync(join(results, "grade.json"), "utf8")) as GradeReport;
    expect(xml).to.match(new RegExp(`<testsuite name="00-bytes" tests="${report.tests.length}" failures="${report.failed}"`));
    expect((xml.match(/<testcase /g) ?? []).length).to.equal(report.tests.length);
    expect(xml).to.match(/<failure message="TypeError: out\.push is not a function" type="TypeError">TypeError: out\.push is not a function\nat writeUint \(chapters\/00-bytes\/presentation\.ts:\d+\)/);
    expect(xml).to.include("(the code at fault is 00.1's)");
  });

  it("names the file, line and exercise of a syntax error that keeps the chapter's tests from loading", async () => {
    const line = copy.mistake("00-bytes/presentation.ts", "00.1", ["const out = new Uint8Array(size;", "w.bytes(out, note);"], "new Uint8Array(size;");
    const r = await tool(copy.dir, ["grade", "00"], { env: env() });
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(new RegExp(`could not load tests/00-bytes\\.test\\.ts: chapters/00-bytes/presentation\\.ts:${line}:\\d+: .*\\(a syntax error in exercise 00\\.1\\)`));
    expect(r.stdout.trim().split("\n").pop()).to.match(/^0 passed, [1-9]\d* failed$/);
  });

  it("--until NN.K grades the exercises up to that step only: a mistake in a later step is not run, one in an earlier step is Next", async () => {
    copy.mistake("00-bytes/presentation.ts", "00.3", ["throw new TypeError(\"not yet\");"], "not yet");
    const before = await tool(copy.dir, ["grade", "00", "--until", "00.2"], { env: env() });
    expect(before.status, before.stdout).to.equal(0);
    expect(before.stdout).to.include("exercises: 2 of 2 done");
    expect(boardLine(before.stdout, "00.3"), "00.3 is not on the board").to.equal("(no line for 00.3)");
    const at = await tool(copy.dir, ["grade", "--until", "00.4"], { env: env() });
    expect(at.status).to.equal(1);
    expect(at.stdout).to.match(/^Next: 00\.3 — /m);
    expect(boardLine(at.stdout, "00.5"), "00.5 is not on the board").to.equal("(no line for 00.5)");
  });

  it("exits 2 on a misspelt flag or chapter, naming the nearest flag and the usage, and runs no test", async () => {
    // The first two as a learner runs them: one refused by bin/tls-by-hand.mjs itself, one by the grade command once
    // the test worker started ahead is running (it must end cleanly, never crash the tool). The others in this process
    // (toolInProcess: the same main(), without a Node start-up each).
    for (const [args, expected, spawned] of [
      [["grade", "00", "--impl", "solution"], '--impl must be "chapters" or "solutions", not "solution"', true],
      [["grade", "02", "--refrence-earlier"], "unknown option --refrence-earlier (did you mean --reference-earlier?)", true],
      [["grade", "00", "--jsn"], "unknown option --jsn (did you mean --json?)", false],
      [["grade", "00", "--timeout", "soon"], "--timeout must be a positive number, not soon", false],
      [["grade", "1x"], 'no chapter "1x"', false],
      [["grade", "00", "--until", "0.3"], "--until takes an exercise, like 08.10, not 0.3", false],
      [["grade", "00", "--until", "01.2"], "--until 01.2 is not in the chapters graded (00)", false],
      [["grade", "--until", "00.99"], "no exercise 00.99", false],
    ] as const) {
      const r = spawned ? await tool(copy.dir, [...args], { env: env() }) : await toolInProcess([...args]);
      expect(r.status, args.join(" ")).to.equal(2);
      expect(r.stderr, args.join(" ")).to.include(expected);
      expect(r.stderr, args.join(" ")).to.match(/^usage: tls-by-hand /m);
      expect(r.stdout, args.join(" ")).not.to.match(/passed, \d+ failed/);
    }
  });

  it("grade --serve: grade after grade in one process, each on the files as they are then, as `grade` prints it", async () => {
    const server = gradeServer(copy.dir, env());
    try {
      copy.mistake("00-bytes/presentation.ts", "00.1", LITTLE_ENDIAN, "little-endian");
      const served = await server.grade(["00"]);
      const alone = await tool(copy.dir, ["grade", "00"], { env: env() });
      expect(served.status).to.equal(1);
      // The same scoreboard as a grade of its own (but the counterexamples, which fast-check draws anew each run).
      const board = (out: string) => out.split("\n").filter((l) => /^ {2}\d\d\.\d+ |^Next: |passed, \d+ failed/.test(l));
      expect(board(served.stdout), "the scoreboard's lines").to.have.length.above(7);
      expect(board(served.stdout), "the same scoreboard as a grade of its own").to.deep.equal(board(alone.stdout));
      // Mended, then another mistake: each grade loads the copy's files afresh (its worker is kept).
      copy.undo();
      expect((await server.grade(["00"])).status, "mended").to.equal(0);
      const line = copy.mistake("00-bytes/presentation.ts", "00.1", PUSH, "has no push");
      const pushed = await server.grade(["00"]);
      expect(pushed.stdout).to.include(`TypeError: out.push is not a function\n        at writeUint (chapters/00-bytes/presentation.ts:${line})`);
      expect(pushed.stdout, "no query of the module URLs shows").not.to.include("tls-by-hand-job");
      // Bad usage answers 2, and the server goes on.
      const bad = await server.grade(["00", "--jsn"]);
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.include("unknown option --jsn (did you mean --json?)");
      copy.undo();
      // A loop stopped by the watchdog: that worker, whose stop hook replaces 00.2's code, is not kept.
      copy.mistake("00-bytes/presentation.ts", "00.2", ["let value = 0;", "for (let i = 0; i < size; ) value = value * 256; // i never moves", "return value;"], "i never moves");
      const looped = await server.grade(["00", "--timeout", "2"]);
      expect(boardLine(looped.stdout, "00.2")).to.match(/⧗ timed out/);
      copy.undo();
      const after = await server.grade(["00"]);
      expect(after.status, after.stdout).to.equal(0);
      expect(boardLine(after.stdout, "00.2")).to.match(/✔ passed/);
    } finally {
      await server.close();
    }
  });
});
