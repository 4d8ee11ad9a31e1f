// Command-line options, read strictly: every flag must be one the command knows. A misspelt flag
// (`--refrence-earlier`) is bad usage, never silently ignored: exit 2 with the usage line and the
// nearest flag the command has.

/** Bad usage: the command-line tool prints the message and the command's usage line, and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * "value": the flag takes the next argument (or `--flag=value`); "switch": it stands alone; a function: the
 * value is optional, and the next argument is taken as the value when the function accepts it
 * (`--json` alone, or `--json out.json`).
 */
export type FlagKind = "value" | "switch" | ((next: string) => boolean);

export interface ParsedArgs {
  /** The arguments that are not flags or flag values, in order. */
  positional: string[];
  /** Each flag given, without its dashes' meaning changed: `--tls` → "1.3"; a switch → "". Last one wins. */
  flags: Map<string, string>;
}

/** The flag nearest to `given` among `known`, if it is close enough to be a slip of the keyboard. */
export function nearest(given: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(given, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  // A third of the flag's length, at least 2 edits: --refrence-earlier, --jsn, --tsl are all found.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Splits `args` into flags and positional arguments. Throws UsageError for a flag `known` does not list
 * (naming the nearest one), and for a value flag given without its value. A lone "-" is positional
 * (standard input).
 */
export function parseArgs(args: readonly string[], known: Record<string, FlagKind>, usage?: string): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = known[name];
    if (kind === undefined) {
      const guess = nearest(name, Object.keys(known));
      throw new UsageError(`unknown option ${name}${guess === undefined ? "" : ` (did you mean ${guess}?)`}`, usage);
    }
    if (kind === "switch") {
      if (eq > 0) throw new UsageError(`${name} takes no value`, usage);
      flags.set(name, "");
      continue;
    }
    if (typeof kind === "function") {
      const next = args[i + 1];
      if (eq > 0) flags.set(name, arg.slice(eq + 1));
      else if (next !== undefined && !next.startsWith("-") && kind(next)) flags.set(name, args[++i]!);
      else flags.set(name, "");
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[i + 1];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`${name} needs a value`, usage);
    flags.set(name, value);
    if (eq < 0) i++;
  }
  return { positional, flags };
}

/** The first line of a command's help text: what to type. */
export function usageLine(help: string): string {
  return `usage: ${help.split("\n")[0]!.trim()}`;
}
