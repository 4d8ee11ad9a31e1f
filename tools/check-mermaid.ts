// Checks that every Mermaid diagram of the notebooks renders: the ```mermaid blocks in their Markdown cells,
// and (with --outputs FILE, written by tools/run-notebooks.py --mermaid-out) the diagrams their cells drew
// when they ran. Each block goes through Mermaid's own parser, the same version JupyterLab 4.6 bundles
// (mermaid 11.16.1, pinned in package.json), so a block that fails here shows JupyterLab's error box.
// Usage: node --import tsx tools/check-mermaid.ts [--outputs FILE]... NOTEBOOK...
// Prints one line per failing block and "N diagrams, N failed"; exits 1 if any failed.
import { readFileSync } from "node:fs";
import { basename } from "node:path";

export interface MermaidBlock {
  /** Where it came from: "04-rsa-key-exchange.ipynb cell 1" or "... cell 9 (output)". */
  where: string;
  text: string;
}

/** The ```mermaid blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```mermaid[ \t]*\r?\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The blocks in a notebook's Markdown cells (its stored source; notebooks are kept without outputs). */
export function notebookBlocks(path: string): MermaidBlock[] {
  const nb = JSON.parse(readFileSync(path, "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.flatMap((cell, i) => {
    if (cell.cell_type !== "markdown") return [];
    const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    return mermaidBlocks(source).map((text) => ({ where: `${basename(path)} cell ${i}`, text }));
  });
}

/** Parses each block with Mermaid; returns the failures with Mermaid's message. */
export async function checkBlocks(blocks: readonly MermaidBlock[]): Promise<{ where: string; error: string }[]> {
  // Mermaid sanitizes labels with DOMPurify, which needs a DOM: linkedom's is enough for parsing.
  const { parseHTML } = await import("linkedom");
  const g = globalThis as unknown as { window?: unknown };
  g.window ??= (parseHTML("<!doctype html><html><body></body></html>") as unknown as { window: unknown }).window;
  const { default: mermaid } = await import("mermaid");
  mermaid.initialize({ startOnLoad: false });
  const failures: { where: string; error: string }[] = [];
  for (const block of blocks) {
    try {
      await mermaid.parse(block.text);
    } catch (e) {
      // Mermaid's message: the line, the text there, a caret, then every token it expected (cut short).
      const lines = String((e as Error).message ?? e).split("\n").slice(0, 4);
      failures.push({ where: block.where, error: lines.map((l) => (l.length > 160 ? l.slice(0, 160) + " …" : l)).join(" | ") });
    }
  }
  return failures;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const blocks: MermaidBlock[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--outputs") {
      blocks.push(...(JSON.parse(readFileSync(args[++i]!, "utf8")) as MermaidBlock[]));
    } else blocks.push(...notebookBlocks(args[i]!));
  }
  const failures = await checkBlocks(blocks);
  for (const f of failures) console.log(`FAIL ${f.where}: ${f.error}`);
  console.log(`${blocks.length} diagrams, ${failures.length} failed`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(basename(process.argv[1]))) await main();
