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
      if (hybridGroup(args)) return range(12); // chapter 12's hybrid key share (its server half imports chapter 10)
      // Mutual TLS: the client certificate is signed by the learner's own code of chapters 10 and 11 (11.18).
      if (args.some((a) => a === "--cert" || a.startsWith("--cert="))) return range(11);
      const tls = args[args.indexOf("--tls") + 1];
      // --session resumes in either version with chapter 09 (TLS 1.2 resumption is there too), so it comes first.
      if (args.some((a) => a === "--session" || a === "--early-data" || a.startsWith("--session=") || a.startsWith("--early-data="))) return range(9);
      if (args.includes("--tls") && tls === "1.2") return range(6);
      return range(8);
    }
    case "serve": {
      // Both versions by default: the TLS 1.2 server (11) beside the TLS 1.3 one (10); --tls 1.3 needs no chapter 11.
      const tls = args[args.indexOf("--tls") + 1];
      if (hybridGroup(args)) return range(12);
      return args.includes("--tls") && tls === "1.3" ? range(10) : range(11);
    }
    default:
      return [];
  }
}

/** True when `--group` names a post-quantum hybrid group (x25519mlkem768, secp256r1mlkem768): chapter 12. */
function hybridGroup(args: readonly string[]): boolean {
  const at = args.findIndex((a) => a === "--group" || a.startsWith("--group="));
  if (at < 0) return false;
  const value = args[at]!.startsWith("--group=") ? args[at]!.slice("--group=".length) : args[at + 1];
  return value !== undefined && /mlkem/i.test(value);
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
