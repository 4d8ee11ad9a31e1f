// Shared by chapter 06's test files: connect our client to a server on 127.0.0.1, fetch a page, expect a refusal.
import { isTlsError, type TlsError } from "../../lib/errors.js";
import { readPemCertificates } from "../../lib/pem.js";
import { parseCertificates } from "../../chapters/03-certificates/index.js";
import {
  type Tls12Connection,
  type Tls12Options,
  connectTcp,
  connectTls12,
} from "../../chapters/06-tls12-handshake/index.js";
import { readFixture } from "../support/fixtures.js";

const HOST = "127.0.0.1";
const GET = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

/** The trust anchors, parsed by chapter 03 (graded there; here they are only the input). */
export const roots = () => parseCertificates(readPemCertificates(readFixture("ca.crt"), "ca.crt"));

/** Reads application data until the server closes; returns it as text. */
export async function readAll(conn: Tls12Connection): Promise<string> {
  let text = "";
  for (;;) {
    const data = await conn.read();
    if (data === null) return text;
    text += new TextDecoder().decode(data);
  }
}

/** Connects to 127.0.0.1:port with our client, sends GET /, reads the whole answer; collects the key log. */
export async function fetchPage(port: number, options: Partial<Tls12Options> = {}) {
  const keyLog: string[] = [];
  const conn = await connectTls12(await connectTcp(HOST, port), {
    servername: "localhost",
    ca: roots(),
    keyLog: (line) => keyLog.push(line),
    ...options,
  });
  conn.write(GET);
  const response = await readAll(conn);
  conn.close();
  return { conn, response, keyLog };
}

/** Runs `work`, expects a TlsError; returns it. */
export async function expectRejection(work: () => Promise<unknown>): Promise<TlsError> {
  try {
    await work();
  } catch (e) {
    if (isTlsError(e)) return e;
    throw e;
  }
  throw new Error("expected the handshake to fail with a TlsError, but it succeeded");
}

/** Polls `condition` for up to two seconds (a server's events may arrive just after our side is done). */
export async function waitFor(condition: () => boolean, describe: () => string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within 2 s; saw: ${describe()}`);
}

