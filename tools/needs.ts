// Which chapters of the learner's code each command of the command-line tool runs. The tool says so when one
// of them is not done yet, and `--reference-earlier` serves every chapter before the last one from solutions/,
// so that a learner who starts at chapter 08 can run their own 08 on the reference 00–07.
// No imports from chapters/: bin/tls-by-hand.mjs reads this before it registers the resolve hook.

/** The chapters a command runs, by number. `args` matter for connect: --tls 1.2, --session / --early-data. */
export function chaptersNeeded(command: string, args: readonly string[]): number[] {
  const range = (to: number) => Array.from({ length: to + 1 }, (_, i) => i);
  switch (command) {
    case "explain":
    case "hello":
      return range(2); // records (00), ClientHello (01), ServerHello (02)
    case "verify-chain":
      return [0, 1, 3]; // chapter 03's X.509 reader builds on 00's integers and 01's named codes
    case "connect": {
      const tls = args[args.indexOf("--tls") + 1];
      if (args.includes("--tls") && tls === "1.2") return range(6);
      if (args.some((a) => a === "--session" || a === "--early-data" || a.startsWith("--session=") || a.startsWith("--early-data="))) return range(9);
      return range(8);
    }
    case "serve": {
      // Both versions by default: the TLS 1.2 server (11) beside the TLS 1.3 one (10); --tls 1.3 needs no chapter 11.
      const tls = args[args.indexOf("--tls") + 1];
      return args.includes("--tls") && tls === "1.3" ? range(10) : range(11);
    }
    default:
      return [];
  }
}

/** For --reference-earlier: chapters numbered below this come from solutions/ (0: none). (grade NN: bin/tls-by-hand.mjs.) */
export function referenceBelow(command: string, args: readonly string[]): number {
  const needed = chaptersNeeded(command, args);
  return needed.length > 0 ? Math.max(...needed) : 0;
}

const two = (n: number) => String(n).padStart(2, "0");

/** "chapters 00–02", "chapters 00, 01 and 03", "chapter 08". */
export function describeChapters(numbers: readonly number[]): string {
  if (numbers.length === 0) return "no chapter";
  if (numbers.length === 1) return `chapter ${two(numbers[0]!)}`;
  const sorted = [...numbers].sort((a, b) => a - b);
  const contiguous = sorted.every((n, i) => i === 0 || n === sorted[i - 1]! + 1);
  if (contiguous) return `chapters ${two(sorted[0]!)}–${two(sorted[sorted.length - 1]!)}`;
  return `chapters ${sorted.slice(0, -1).map(two).join(", ")} and ${two(sorted[sorted.length - 1]!)}`;
}
