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

/** True when `--group NAME` names a hybrid group (it needs chapter 12). */
export function isHybridGroupName(name: string | undefined): boolean {
  return name !== undefined && name.toLowerCase() in HYBRID_GROUP_NAMES;
}

/**
 * True when chapter 12 runs whole: the reference (--impl solutions, or --reference-earlier past it), or the learner's
 * copy with no `throw new NotImplemented(` left in it.
 */
export function chapter12Done(impl: string, referenceBelow: number): boolean {
  if (impl === "solutions" || referenceBelow > 12) return true;
  const dir = join(ROOT, "chapters", "12-post-quantum");
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    return files.length > 0 && files.every((f) => !readFileSync(join(dir, f), "utf8").includes("throw new NotImplemented("));
  } catch {
    return false;
  }
}
