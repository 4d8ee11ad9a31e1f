// Where the test PKI lives (tests/fixtures, made by make-certs.sh) and how to read it.
// Paths are resolved from this file, not the working directory, so tests run the same from any folder.
// These keys are for loopback tests only; see tests/fixtures/README.md.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type FixtureName =
  | "ca.crt"
  | "ca.key"
  | "server-rsa.key"
  | "server-rsa.crt"
  | "server-rsa-chain.crt"
  | "server-ecdsa.key"
  | "server-ecdsa.crt"
  | "ca-ed25519.crt"
  | "ca-ed25519.key"
  | "server-ed25519.key"
  | "server-ed25519.crt"
  | "server-ed25519-chain.crt"
  | "ca-rsa-pss.crt"
  | "ca-rsa-pss.key"
  | "server-rsa-pss.key"
  | "server-rsa-pss.crt"
  | "server-rsa-pss-chain.crt"
  | "client-rsa.key"
  | "client-rsa.crt"
  | "client-ecdsa.key"
  | "client-ecdsa.crt";

/** Absolute path of a fixture file, for tools that want a path (openssl -cert, -CAfile). */
export function fixturePath(name: FixtureName): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** A fixture's PEM text, for Node's tls options (key, cert, ca). */
export function readFixture(name: FixtureName): string {
  return readFileSync(fixturePath(name), "utf8");
}
