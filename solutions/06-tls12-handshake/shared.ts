// What the steps of the TLS 1.2 client handshake share (hellos.ts, server-flight.ts, key-exchange.ts, finish.ts and
// the script in handshake.ts), and chapters 08 and 09 with them: the suites this client runs, the check of a message's
// type, the server name to send, the certificate's fit to the suite, and where key log lines go. Finished helpers,
// not exercises. Read RFC 5246 §7.3, §7.4.2 and RFC 6066 §3.
import { appendFileSync } from "node:fs";
import { AlertDescription, type CipherSuiteInfo, HandshakeType, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { DEFAULT_SUITES } from "../01-client-hello/index.js";
import { type Certificate, type PublicKey, describeKey, parseIp } from "../03-certificates/index.js";

/** The suites connectTls12 can run: TLS 1.2, key exchange RSA, DHE_RSA or ECDHE_*, AES-GCM. */
export const TLS12_SUITES: readonly number[] = DEFAULT_SUITES["1.2"];

/** Where key log lines go: a file to append to, or a function to call (the option of chapters 06, 08 and 09). */
export type KeyLogTarget = string | ((line: string) => void);

/** Sends one key log line to `keyLog`, if there is one. Chapters 08 and 09 write theirs through this too. */
export function writeKeyLog(keyLog: KeyLogTarget | undefined, line: string): void {
  if (keyLog === undefined) return;
  if (typeof keyLog === "string") appendFileSync(keyLog, line + "\n");
  else keyLog(line);
}

/** Checks that `message` is a handshake message of `type`; any other is unexpected_message (RFC 5246 §7.3). */
export function expectMessage(message: Uint8Array, type: number): Uint8Array {
  if (message[0] !== type) {
    throw new TlsError(
      AlertDescription.unexpected_message,
      `expected ${describeCode(HandshakeType, type, 2)}, got ${describeCode(HandshakeType, message[0] ?? -1, 2)}`,
      { field: "handshake type", offset: 0 },
    );
  }
  return message;
}

/**
 * The certificate's key must be one the suite can use (RFC 5246 §7.4.2): an RSA key that may encrypt for RSA key
 * exchange (rsaEncryption, keyEncipherment if keyUsage is there), an RSA key that may sign for DHE_RSA / ECDHE_RSA (an
 * id-RSASSA-PSS key too: it signs with rsa_pss_pss_*, RFC 8446 §4.2.3), an ECDSA or EdDSA key that may sign for
 * ECDHE_ECDSA (RFC 8422 §2).
 */
export function checkKeyForSuite(suite: CipherSuiteInfo, leaf: Certificate): PublicKey {
  const key = leaf.publicKey;
  const usage = leaf.extensions.keyUsage;
  const fail = (why: string): never => {
    throw new TlsError(AlertDescription.unsupported_certificate, `${suite.name} cannot use this certificate: ${why}`, { field: "certificate" });
  };
  const has = `the certificate has ${describeKey(key)}`;
  if (suite.keyExchange === "ECDHE_ECDSA") {
    if (key.kind !== "ec" && key.kind !== "ed25519") fail(`the suite needs an ECDSA or Ed25519 key, ${has}`);
  } else if (suite.keyExchange === "RSA") {
    // RSA key exchange encrypts to the key: an id-RSASSA-PSS key may only sign (RFC 4055 §1.2).
    if (key.kind !== "rsa" || key.pss) fail(`the suite needs an rsaEncryption key, ${has}`);
  } else if (key.kind !== "rsa") {
    fail(`the suite needs an RSA key, ${has}`);
  }
  const needed = suite.keyExchange === "RSA" ? "keyEncipherment" : "digitalSignature";
  if (usage !== undefined && !usage.includes(needed)) fail(`its keyUsage (${usage.join(", ")}) lacks ${needed}`);
  return key;
}

/** The server_name to send: a DNS name, never an IP address (RFC 6066 §3). Chapters 08 and 09 use it too. */
export function sniFor(servername: string): string | undefined {
  return parseIp(servername) === undefined ? servername : undefined;
}
