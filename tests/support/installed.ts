// Whether a program a live test needs is installed, and the one line a suite prints when it is not. A suite that
// needs gnutls-serv or nginx skips itself only when the binary is absent (.ci/run installs both); any other failure
// to start the server is a failure.
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

/** True when `name` is an executable on PATH (or in /usr/sbin, where Debian puts nginx). */
export function installed(name: string): boolean {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/local/sbin"])) {
    if (dir === "") continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** In a suite's before(): skips the suite, saying why, when `name` is not installed. */
export function skipUnlessInstalled(context: Mocha.Context, name: string, debianPackage: string): void {
  if (installed(name)) return;
  console.log(`      skipped: ${name} not installed (Debian package ${debianPackage})`);
  // The one reason to skip: the peer program is absent on this machine (.ci/run installs it on CI).
  context.skip();
}
