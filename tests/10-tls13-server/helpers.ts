// Shared by chapter 10's test files: the server's configuration with the fixture certificates, a client played by a
// script (each answer may depend on what the server wrote), and the plumbing to read what a server wrote.
import { readFixture } from "../support/fixtures.js";
import { splitRecords } from "../support/replay-transport.js";
import { parseCertificate } from "../../chapters/03-certificates/index.js";
import { type ServerCredential, type Tls13ServerConfig, readServerCredential } from "../../chapters/10-tls13-server/index.js";
import { rfcCertificateDer, rfcRsaKey } from "./vectors.js";

export const HANDSHAKE = 22;
export const APPLICATION_DATA = 23;
export const ALERT = 21;
export const CHANGE_CIPHER_SPEC = 20;

/** A fixed cookie key, so that a test can seal and open cookies as the server does. */
export const COOKIE_KEY = new Uint8Array(32).fill(0xc0);

/** The fixture credentials: ECDSA P-256 first, then RSA-2048 (tests/fixtures/make-certs.sh). */
export const fixtureCredentials = () => [
  readServerCredential(readFixture("server-ecdsa.crt"), readFixture("server-ecdsa.key"), "server-ecdsa.crt"),
  readServerCredential(readFixture("server-rsa.crt"), readFixture("server-rsa.key"), "server-rsa.crt"),
];

/** The server's credential of RFC 8448: §2's RSA key and the certificate from §3's Certificate message. */
export function rfcCredential(): ServerCredential {
  const der = rfcCertificateDer();
  return { chain: [der], leaf: parseCertificate(der), privateKey: { kind: "rsa", key: rfcRsaKey() } };
}

/** A server configuration with the fixture certificates and `overrides`. */
export function testConfig(overrides: Partial<Tls13ServerConfig> = {}): Tls13ServerConfig {
  return { credentials: fixtureCredentials(), cookieKey: COOKIE_KEY, ...overrides };
}

/** A whole record: type, 0x0303, length, fragment. */
export function plaintextRecord(type: number, fragment: Uint8Array, version = 0x0303): Uint8Array {
  return Uint8Array.from([type, version >> 8, version & 0xff, fragment.length >> 8, fragment.length & 0xff, ...fragment]);
}

/** The fragment of a whole record. */
export const fragmentOf = (record: Uint8Array) => record.slice(5);

export interface ScriptedClient {
  readRecord(): Promise<{ type: number; version: number; fragment: Uint8Array } | null>;
  write(bytes: Uint8Array): void;
  close(): void;
  /** Every record the server wrote, whole, in order. */
  readonly written: Uint8Array[];
  readonly closed: boolean;
}

/**
 * A client played by a script: whenever the server wants a record and none is queued, `next(written)` is asked for
 * the client's next bytes (whole records) given everything the server has written so far; null ends the connection.
 */
export function scriptedClient(next: (written: readonly Uint8Array[]) => Uint8Array | readonly Uint8Array[] | null): ScriptedClient {
  const written: Uint8Array[] = [];
  const queue: Uint8Array[] = [];
  let closed = false;
  return {
    async readRecord() {
      if (queue.length === 0 && !closed) {
        const more = next(written);
        if (more === null) return null;
        for (const bytes of more instanceof Uint8Array ? [more] : more) queue.push(...splitRecords(bytes));
      }
      const r = queue.shift();
      if (r === undefined) return null;
      return { type: r[0]!, version: (r[1]! << 8) | r[2]!, fragment: r.slice(5) };
    },
    write(bytes) {
      if (!closed) written.push(...splitRecords(bytes));
    },
    close() {
      closed = true;
    },
    get written() {
      return written;
    },
    get closed() {
      return closed;
    },
  };
}
