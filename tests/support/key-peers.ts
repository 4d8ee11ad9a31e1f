// Servers on 127.0.0.1 whose certificates hold the keys a real server may insist on, for the live tests of chapters
// 06 and 08: `openssl s_server -www` with the Ed25519 or the RSA-PSS fixture (each sent with its CA, which is of the
// same kind: Ed25519-signed, PSS-signed) and a key log file; and a chain whose CA signs with Ed448, which no client of
// this project can check, made with the openssl command in a temporary directory.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectRejection, waitFor } from "./client-helpers.js";
import { fixturePath } from "./fixtures.js";
import { type OpenSslServer, startOpenSslServer } from "./peers.js";

/** The key types of the second fixture set (tests/fixtures/make-certs.sh). */
export type KeyKind = "ed25519" | "rsa-pss";

/** The fixture files of a key type: the server's key and certificate, and the CA certificate that signed it. */
export function keyedFiles(kind: KeyKind): { key: string; cert: string; ca: string; chain: string } {
  const server = kind === "ed25519" ? "server-ed25519" : "server-rsa-pss";
  const ca = kind === "ed25519" ? "ca-ed25519" : "ca-rsa-pss";
  return {
    key: fixturePath(`${server}.key` as "server-ed25519.key"),
    cert: fixturePath(`${server}.crt` as "server-ed25519.crt"),
    ca: fixturePath(`${ca}.crt` as "ca-ed25519.crt"),
    chain: fixturePath(`${server}-chain.crt` as "server-ed25519-chain.crt"),
  };
}

export interface KeyedOpenSsl<K> extends OpenSslServer {
  /** s_server's -keylogfile as it is now, parsed. */
  keyLog(): K;
}

/**
 * `openssl s_server -www -tls1_2|-tls1_3 -cert LEAF -key KEY -cert_chain CA -keylogfile F` and `extra`: one
 * certificate only, so the server has no other to fall back on.
 */
export async function startKeyedOpenSsl<K>(
  files: { key: string; cert: string; ca: string },
  version: "1.2" | "1.3",
  parse: (text: string) => K,
  extra: string[] = [],
): Promise<KeyedOpenSsl<K>> {
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-keyed-"));
  const keyLogFile = join(dir, "keys.log");
  const server = await startOpenSslServer([
    "-cert", files.cert,
    "-key", files.key,
    "-cert_chain", files.ca,
    "-www",
    version === "1.2" ? "-tls1_2" : "-tls1_3",
    "-keylogfile", keyLogFile,
    ...extra,
  ]);
  return {
    ...server,
    keyLog: () => {
      let text = "";
      try {
        text = readFileSync(keyLogFile, "latin1");
      } catch {
        // no connection yet
      }
      return parse(text);
    },
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A chain under the fixtures' root whose intermediate has an Ed448 key (RFC 8410 §3, id-Ed448 1.3.101.113) and signs
 * the server's P-256 certificate with Ed448: what a client that cannot check Ed448 must refuse by name. Made now with
 * the openssl command; remove() deletes it.
 */
export function makeEd448Chain(): { key: string; cert: string; ca: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-ed448-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  writeFileSync(join(dir, "ca.ext"), "basicConstraints = critical, CA:TRUE, pathlen:0\nkeyUsage = critical, keyCertSign\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n");
  writeFileSync(
    join(dir, "leaf.ext"),
    "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost, IP:127.0.0.1\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n",
  );
  run("genpkey", "-algorithm", "ed448", "-out", "ca.key");
  run("req", "-new", "-key", "ca.key", "-subj", "/CN=tls-by-hand test CA Ed448", "-out", "ca.csr");
  run("x509", "-req", "-sha256", "-in", "ca.csr", "-CA", fixturePath("ca.crt"), "-CAkey", fixturePath("ca.key"), "-set_serial", "0x3001", "-days", "365", "-extfile", "ca.ext", "-out", "ca.crt");
  run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "leaf.key");
  run("req", "-new", "-key", "leaf.key", "-subj", "/CN=localhost", "-out", "leaf.csr");
  run("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", "0x3002", "-days", "365", "-extfile", "leaf.ext", "-out", "leaf.crt");
  return { key: join(dir, "leaf.key"), cert: join(dir, "leaf.crt"), ca: join(dir, "ca.crt"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * For both clients (06.13, 08.17): `fetch` from s_server with a chain under an Ed448 CA must be refused with
 * unsupported_certificate, the refusal naming "Ed448 (1.3.101.113)", and the server must receive that alert.
 */
export async function expectEd448ChainRefused<K>(version: "1.2" | "1.3", parse: (text: string) => K, fetch: (port: number) => Promise<unknown>): Promise<void> {
  const chain = makeEd448Chain();
  const server = await startKeyedOpenSsl(chain, version, parse);
  try {
    const e = await expectRejection(() => fetch(server.port));
    expect(e.alertName).to.equal("unsupported_certificate");
    expect(e.message, "the refusal names what it cannot check").to.include("Ed448 (1.3.101.113)");
    await waitFor(() => /unsupported certificate/i.test(server.output()), () => server.output());
  } finally {
    await server.close();
    chain.remove();
  }
}
