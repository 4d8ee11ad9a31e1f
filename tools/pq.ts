// Chapter 12 in the command-line tool: the hybrid group names that connect and serve take, and whether the learner's
// chapter 12 is done. connect offers X25519MLKEM768 first (and serve prefers it) only then, so that a learner who has
// not reached chapter 12 runs chapter 08's and 10's own offer and preferences, and chapters 01–11's tests and recorded
// vectors never see a hybrid share.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NamedGroup } from "../lib/constants.js";
import { ROOT } from "./exercises.js";

/** --group names of the hybrid groups (draft-ietf-tls-ecdhe-mlkem), as tlslite-ng and OpenSSL spell them. */
export const HYBRID_GROUP_NAMES: Readonly<Record<string, number>> = {
  x25519mlkem768: NamedGroup.X25519MLKEM768,
  secp256r1mlkem768: NamedGroup.SecP256r1MLKEM768,
};

/**
 * True when chapter 12 runs whole: the reference (--impl solutions, or --reference-earlier past it), or the learner's
 * copy with no stub (`throw new NotImplemented("12.k");`) left in it.
 */
export function chapter12Done(impl: string, referenceBelow: number): boolean {
  if (impl === "solutions" || referenceBelow > 12) return true;
  const dir = join(ROOT, "chapters", "12-post-quantum");
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    // A stub's line, alone on its line (the file's header comment mentions it too, inside a sentence).
    const stub = /^\s*throw new NotImplemented\("\d\d\.\d+"\);\s*$/m;
    return files.length > 0 && files.every((f) => !stub.test(readFileSync(join(dir, f), "utf8")));
  } catch {
    return false;
  }
}
