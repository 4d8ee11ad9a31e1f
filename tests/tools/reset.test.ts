// `npm run reset` on a scratch copy of a learner's finished work: it puts an exercise back to its stub and
// keeps the learner's file as it was in .scratch/reset/<time>/, saying where; a whole chapter needs --yes.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generateChapters } from "../../tools/generate.js";
import { learnerCopy, tool, type LearnerCopy } from "./learner-copy.js";

describe("npm run reset", function () {
  let copy: LearnerCopy;
  const reset = (...args: string[]) => tool(copy.dir, ["--import", "tsx", "tools/reset.ts", ...args], { command: [process.execPath] });
  const file = (rel: string) => readFileSync(join(copy.dir, rel), "utf8");
  beforeEach(() => (copy = learnerCopy("finished")));
  afterEach(() => copy.remove());

  it("puts 00.1 back to its stub and keeps the learner's file, byte for byte, where it says", async () => {
    const before = file("chapters/00-bytes/presentation.ts");
    const r = await reset("00.1");
    expect(r.status, r.stderr).to.equal(0);
    const kept = /your code as it was is kept in (\.scratch\/reset\/[\dT-]+\/chapters\/00-bytes\/presentation\.ts)/.exec(r.stdout);
    expect(kept, r.stdout).to.not.equal(null);
    expect(file(kept![1]!)).to.equal(before);
    const after = file("chapters/00-bytes/presentation.ts");
    expect(after).to.include('// TODO 00.1: ');
    expect(after).to.match(/\/\/ TODO 00\.1: [^\n]*\n(\s*\/\/[^\n]*\n)*\s*throw new NotImplemented\("00\.1"\);\n\s*\/\/ END 00\.1/);
    // Only 00.1: the learner's 00.2 is still theirs.
    expect(after).not.to.include('throw new NotImplemented("00.2")');
    // A second reset has nothing to do, and says so.
    const again = await reset("00.1");
    expect(again.stdout).to.include("00.1 is already its stub");
  });

  it("asks for --yes before a whole chapter, changing nothing; with --yes keeps both files and resets all", async () => {
    const before = file("chapters/00-bytes/records.ts");
    const asked = await reset("00");
    expect(asked.status).to.equal(2);
    expect(asked.stderr).to.include("npm run reset -- 00 --yes");
    expect(file("chapters/00-bytes/records.ts")).to.equal(before);
    const r = await reset("00", "--yes");
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.match(/your code as it was is kept in /g)).to.have.length(2);
    const pristine = generateChapters();
    expect(file("chapters/00-bytes/records.ts")).to.equal(pristine.get("00-bytes/records.ts"));
    expect(file("chapters/00-bytes/presentation.ts")).to.equal(pristine.get("00-bytes/presentation.ts"));
  });

  it("exits 2 on a misspelt flag or an unknown exercise, changing nothing", async () => {
    const before = file("chapters/00-bytes/presentation.ts");
    const typo = await reset("00", "--yse");
    expect(typo.status).to.equal(2);
    expect(typo.stderr).to.include("unknown option --yse (did you mean --yes?)");
    const unknown = await reset("00.99");
    expect(unknown.status).to.equal(2);
    expect(file("chapters/00-bytes/presentation.ts")).to.equal(before);
  });
});
