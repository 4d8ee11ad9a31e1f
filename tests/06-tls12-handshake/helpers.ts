// Shared by chapter 06's test files: connect our client to a server on 127.0.0.1, fetch a page, expect a refusal.
import {
  type Tls12Options,
  connectTcp,
  connectTls12,
} from "../../chapters/06-tls12-handshake/index.js";
import { expectRejection, readAll, roots, waitFor } from "../support/client-helpers.js";

export { expectRejection, readAll, roots, waitFor };

const HOST = "127.0.0.1";
const GET = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");

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

