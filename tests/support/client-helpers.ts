// Shared by the handshake chapters' tests (06, 08, 09): the fixture roots parsed by chapter 03, reading a
// connection to its end, expecting a refusal, and waiting for a server's events.
import { isTlsError, type TlsError } from "../../lib/errors.js";
import { readPemCertificates } from "../../lib/pem.js";
import { parseCertificates } from "../../chapters/03-certificates/index.js";
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
