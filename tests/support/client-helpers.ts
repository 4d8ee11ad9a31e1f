// Shared by the handshake chapters' tests (06, 08, 09): the fixture roots parsed by chapter 03, reading a
// connection to its end, fetching a page with any of the clients, expecting a refusal, and waiting for a server's events.
import { isTlsError, type TlsError } from "../../lib/errors.js";
import { readPemCertificates } from "../../lib/pem.js";
import { parseCertificates } from "../../chapters/03-certificates/index.js";
import { type RecordTransport, connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import { readFixture } from "./fixtures.js";

/** The trust anchors, parsed by chapter 03 (graded there; here they are only the input). */
export const roots = () => parseCertificates(readPemCertificates(readFixture("ca.crt"), "ca.crt"));

/** Reads application data until the server closes; returns it as text. */
export async function readAll(conn: { read(): Promise<Uint8Array | null> }): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for (;;) {
    const data = await conn.read();
    if (data === null) return text + decoder.decode();
    text += decoder.decode(data, { stream: true });
  }
}

/** The request every page fetch sends. */
export const GET = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

/**
 * Connects `connect` (connectTls12, connectTls13, connectTls …) to 127.0.0.1:port for "localhost" under the fixture
 * roots, sends GET /, reads the whole answer; returns the connection, the answer and our key log.
 */
export async function fetchWith<O, C extends { write(data: Uint8Array): void; read(): Promise<Uint8Array | null>; close(): void }>(
  connect: (transport: RecordTransport, options: O) => Promise<C>,
  port: number,
  options: Partial<NoInfer<O>> = {},
): Promise<{ conn: C; response: string; keyLog: string[] }> {
  const keyLog: string[] = [];
  // The options every client of chapters 06 and 08 takes (the name to check, the roots, the key log), then `options`.
  const basics = { servername: "localhost", ca: roots(), keyLog: (line: string) => void keyLog.push(line) };
  const conn = await connect(await connectTcp("127.0.0.1", port), { ...basics, ...options } as unknown as O);
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
  throw new Error("expected the connection to fail with a TlsError, but it succeeded");
}

/** Polls `condition` for up to two seconds (a server's events may arrive just after our side is done). */
export async function waitFor(condition: () => boolean, describe: () => string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within 2 s; saw: ${describe()}`);
}
