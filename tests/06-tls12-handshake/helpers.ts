// Shared by chapter 06's test files: connect our client to a server on 127.0.0.1, fetch a page, expect a refusal.
import { type Tls12Options, connectTls12 } from "../../chapters/06-tls12-handshake/index.js";
import { expectRejection, fetchWith, readAll, roots, waitFor } from "../support/client-helpers.js";

export { expectRejection, readAll, roots, waitFor };

/** Connects to 127.0.0.1:port with our TLS 1.2 client, sends GET /, reads the whole answer; collects the key log. */
export const fetchPage = (port: number, options: Partial<Tls12Options> = {}) => fetchWith(connectTls12, port, options);

