// The Mermaid check of npm test (tools/check-mermaid.ts) on blocks whose outcome is known: it must fail the block
// that showed JupyterLab's error box in chapter 04 (a `;` ends a sequence-diagram statement), and pass it once the
// label is escaped the way the notebooks' diagram helper escapes text (lib/notebook-show.ts mermaidText).
import { expect } from "chai";
import { checkBlocks, mermaidBlocks } from "../../tools/check-mermaid.js";
import { mermaidText } from "../../lib/notebook-show.js";

const head = "sequenceDiagram\n    participant C as Client\n    participant S as Server\n";

describe("tools: the Mermaid check", function () {
  this.timeout(30000);

  it("fails chapter 04's old note with a `;` in it, with Mermaid's parse error", async () => {
    const failures = await checkBlocks([{ where: "04 cell 1", text: head + "    Note over S: decrypt with the private key; bad padding? carry on\n" }]);
    expect(failures).to.have.length(1);
    expect(failures[0]!.error).to.match(/Parse error on line 4/);
  });

  it("passes the same note escaped by mermaidText, and a flowchart with HTML labels", async () => {
    const note = mermaidText("decrypt with the private key; bad padding? #1 carry on");
    expect(note).to.equal("decrypt with the private key#59; bad padding? #35;1 carry on");
    const failures = await checkBlocks([
      { where: "escaped", text: `${head}    Note over S: ${note}\n    C->>S: 🔒 finished (1 byte)\n` },
      { where: "flowchart", text: 'flowchart LR\n  c0["<b>leaf</b><br>CN=localhost"] -- "signed with ecdsa-with-SHA256" --> c1\n' },
    ]);
    expect(failures).to.deep.equal([]);
  });

  it("fails a flowchart whose label quote is not closed", async () => {
    const failures = await checkBlocks([{ where: "bad flowchart", text: 'flowchart TD\n  A[x"] --> B\n' }]);
    expect(failures).to.have.length(1);
  });

  it("finds every ```mermaid block of a Markdown text, and nothing else", () => {
    const md = "text\n```mermaid\nsequenceDiagram\n  A->>B: x\n```\n```ts\nconst x = 1;\n```\n```mermaid\nflowchart LR\n  A --> B\n```\n";
    expect(mermaidBlocks(md)).to.deep.equal(["sequenceDiagram\n  A->>B: x\n", "flowchart LR\n  A --> B\n"]);
  });
});
