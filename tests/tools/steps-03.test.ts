// Chapter 03's exercises are steps, each graded on its own: put one realistic bug into one step (in a scratch copy
// whose chapters/ is the reference), grade chapter 03 as a learner does, and the scoreboard's "Next:" line must
// name the step that holds the bug, not an earlier one whose tests happen to run its code. Four bugs, graded two at
// a time (two scratch copies, each taking its bugs in turn through one grade server, `grade --serve`), each with
// `--until` the buggy step: a later step's tests cannot change which failing step comes first.
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scratchCopy } from "../../tools/scratch.js";
import { type GradeServer, type Run, gradeServer } from "./learner-copy.js";

interface Bug {
  /** The exercise that holds the bug: the one "Next:" must name. */
  step: string;
  file: string;
  /** A line of the reference (it must occur exactly once in the file), and the buggy line that replaces it. */
  from: string;
  to: string;
  what: string;
}

const BUGS: Bug[] = [
  {
    step: "03.10",
    file: "x509.ts",
    from: "return KEY_USAGE_BITS.filter((_, i) => ((bits.bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);",
    to: "return KEY_USAGE_BITS.filter((_, i) => ((bits.bytes[i >> 3] ?? 0) & (1 << (i & 7))) !== 0);",
    what: "keyUsage bits read from the low end of each byte",
  },
  {
    step: "03.18",
    file: "chain.ts",
    from: "        extend([...path, issuer]);",
    to: "        return extend([...path, issuer]);",
    what: "path building without backtracking: the first issuer found is the only one tried",
  },
  {
    step: "03.21",
    file: "chain.ts",
    from: "    const below = path.slice(1, index).filter((c) => !isSelfIssued(c)).length;",
    to: "    const below = path.slice(0, index).filter((c) => !isSelfIssued(c)).length;",
    what: "pathLen counts the leaf as a CA below the issuer",
  },
  {
    step: "03.22",
    file: "chain.ts",
    from: "  return n === c || n.endsWith(`.${c}`);",
    to: "  return n === c || n.endsWith(c);",
    what: "a DNS name constraint matched as a bare suffix (notbank.test inside bank.test)",
  },
];

/**
 * Puts the bug into the scratch copy at `dir`, grades it with `grade 03 --until STEP --impl chapters
 * --reference-earlier`, and puts the line back.
 */
async function gradeWith(dir: string, server: GradeServer, bug: Bug): Promise<Run> {
  const file = join(dir, "chapters", "03-certificates", bug.file);
  const source = readFileSync(file, "utf8");
  const count = source.split(bug.from).length - 1;
  if (count !== 1) throw new Error(`${bug.file} holds the line to break ${count} times, not once: ${bug.from}`);
  writeFileSync(file, source.replace(bug.from, bug.to));
  try {
    return await server.grade(["03", "--until", bug.step, "--impl", "chapters", "--reference-earlier"]);
  } finally {
    writeFileSync(file, source);
  }
}

describe("chapter 03: a bug in one step is blamed on that step", function () {
  this.timeout(600000);
  const graded = new Map<Bug, Run>();

  const dirs: string[] = [];

  before(async function () {
    // Two at a time, each in its own scratch copy: the machine has two cores, and each grade keeps one busy.
    // About as long to grade: a later step runs more tests (all those before it), so each bug, latest first, goes
    // to the lane with the fewer steps to run so far.
    const lanes: Bug[][] = [[], []];
    const load = (lane: Bug[]) => lane.reduce((sum, b) => sum + Number(b.step.slice(3)), 0);
    for (const bug of [...BUGS].sort((a, b) => Number(b.step.slice(3)) - Number(a.step.slice(3)))) {
      (load(lanes[0]!) <= load(lanes[1]!) ? lanes[0]! : lanes[1]!).push(bug);
    }
    await Promise.all(
      lanes.map(async (lane) => {
        const dir = scratchCopy("solutions");
        const results = mkdtempSync(join(tmpdir(), "tls-by-hand-steps-03-"));
        dirs.push(dir, results);
        const server = gradeServer(dir, { TLS_BY_HAND_RESULTS: results });
        try {
          for (const bug of lane) graded.set(bug, await gradeWith(dir, server, bug));
        } finally {
          await server.close();
        }
      }),
    );
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const bug of BUGS) {
    it(`${bug.what} (${bug.file}): the scoreboard says "Next: ${bug.step}"`, function () {
      const r = graded.get(bug)!;
      const next = /^Next: (\d\d\.\d+) — /m.exec(r.stdout);
      expect(r.status, "the grade fails").to.equal(1);
      expect(next?.[1], `the scoreboard:\n${r.stdout.split("\n").filter((l) => /^ {2}03\.|^Next|^ {2}\S/.test(l)).slice(0, 40).join("\n")}\n${r.stderr}`).to.equal(bug.step);
      // Every step before it still passes: nothing earlier is blamed for it.
      const earlier = r.stdout.split("\n").filter((l) => /^ {2}03\.\d+ /.test(l)).filter((l) => Number(l.trim().split(/\s+/)[0]!.slice(3)) < Number(bug.step.slice(3)));
      for (const line of earlier) expect(line, "a step before the bug").to.include("✔ passed");
    });
  }
});
