// The NSS key log for a TLS 1.3 connection: one line per traffic secret, which is what Wireshark (or anyone holding
// the lines) needs to decrypt a capture. TLS 1.3 has no single master secret to log as TLS 1.2 did: each direction
// and each stage has its own secret. Read the NSS key log format
// (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/) and RFC 8446 §7.1.
import { AlertDescription, RANDOM_LENGTH } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { toHex } from "../../lib/hex.js";
import type { ApplicationSecrets, HandshakeSecrets } from "./schedule.js";

/** The key log labels of TLS 1.3 (NSS key log format; the same names OpenSSL and BoringSSL write). */
export const KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
export const KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
export const KEYLOG_CLIENT_TRAFFIC_SECRET_0 = "CLIENT_TRAFFIC_SECRET_0";
export const KEYLOG_SERVER_TRAFFIC_SECRET_0 = "SERVER_TRAFFIC_SECRET_0";
export const KEYLOG_EXPORTER_SECRET = "EXPORTER_SECRET";

/**
 * The five key log lines of a TLS 1.3 handshake, "<LABEL> <client random> <secret>" in lowercase hex, no newlines,
 * in the order an OpenSSL server (Node's `tls` server, `openssl s_server`) writes them:
 *
 *   SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_HANDSHAKE_TRAFFIC_SECRET, EXPORTER_SECRET,
 *   SERVER_TRAFFIC_SECRET_0, CLIENT_TRAFFIC_SECRET_0
 *
 * The order does not matter to Wireshark (it finds each line by label and client random); it makes our log equal
 * a server's line for line. Either stage may be left out: chapter 08 writes the two handshake lines as soon as the
 * ServerHello has made them (so that a handshake that fails later can still be decrypted), the other three after
 * the server's Finished.
 */
export function keyLogLines13(clientRandom: Uint8Array, hs?: HandshakeSecrets, app?: ApplicationSecrets): string[] {
  // EXERCISE 07.8: a clientRandom that is not RANDOM_LENGTH (32) bytes is our bug (TlsError internal_error, field
  // "client random"). Then one line per secret, each label + " " + toHex(clientRandom) + " " + toHex(secret), in the
  // order above: with hs, hs.serverHandshakeTrafficSecret and hs.clientHandshakeTrafficSecret; with app,
  // app.exporterMasterSecret, app.serverApplicationTrafficSecret and app.clientApplicationTrafficSecret. The client
  // random is how a tool finds the connection in a capture: the one value both sides logged that went in the clear.
  if (clientRandom.length !== RANDOM_LENGTH) {
    throw new TlsError(AlertDescription.internal_error, `a client random is ${RANDOM_LENGTH} bytes, got ${clientRandom.length}`, {
      field: "client random",
    });
  }
  const random = toHex(clientRandom);
  const entries: [string, Uint8Array][] = [];
  if (hs !== undefined) {
    entries.push([KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, hs.serverHandshakeTrafficSecret], [KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, hs.clientHandshakeTrafficSecret]);
  }
  if (app !== undefined) {
    entries.push(
      [KEYLOG_EXPORTER_SECRET, app.exporterMasterSecret],
      [KEYLOG_SERVER_TRAFFIC_SECRET_0, app.serverApplicationTrafficSecret],
      [KEYLOG_CLIENT_TRAFFIC_SECRET_0, app.clientApplicationTrafficSecret],
    );
  }
  return entries.map(([label, secret]) => `${label} ${random} ${toHex(secret)}`);
  // END 07.8
}
