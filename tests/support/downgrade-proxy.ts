// A man in the middle that downgrades: it hides the client's TLS 1.3 offer from the server. It renames the
// supported_versions extension of the ClientHello (RFC 8446 §4.2.1) to a private-use type no server knows, keeping
// every length, so the server reads a TLS 1.2 client and answers with TLS 1.2. A server that could have done TLS 1.3
// then ends its random with the downgrade sentinel (RFC 8446 §4.1.3), and a TLS 1.3 client must refuse. Framing by
// RFC 8446 §4.1.2, written here again: it shares no code with the chapters.
import { type ClientTamperProxy, startClientTamperProxy } from "./client-tamper-proxy.js";

const SUPPORTED_VERSIONS = 0x002b;
/** In the private-use range of the ExtensionType registry (0xff00–0xffff): no server gives it a meaning. */
export const HIDDEN_EXTENSION = 0xff00;

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/**
 * The ClientHello record with its supported_versions extension renamed, or the record as it was if it has none (a TLS
 * 1.2-only hello: nothing to hide). Only a ClientHello whole in one record is handled, which is what clients send.
 */
export function hideSupportedVersions(record: Uint8Array): Uint8Array {
  const out = record.slice();
  if (out[0] !== 22 || out[5] !== 1) return out; // not a handshake record holding a ClientHello
  let at = 5 + 4 + 2 + 32; // record header, handshake header, legacy_version, random
  at += 1 + out[at]!; // legacy_session_id
  at += 2 + u16(out, at); // cipher_suites
  at += 1 + out[at]!; // legacy_compression_methods
  const end = at + 2 + u16(out, at);
  for (at += 2; at + 4 <= end; at += 4 + u16(out, at + 2)) {
    if (u16(out, at) === SUPPORTED_VERSIONS) {
      out[at] = HIDDEN_EXTENSION >> 8;
      out[at + 1] = HIDDEN_EXTENSION & 0xff;
    }
  }
  return out;
}

/** A relay to 127.0.0.1:targetPort that hides the TLS 1.3 offer of every ClientHello passing through. */
export function startDowngradeProxy(targetPort: number): Promise<ClientTamperProxy> {
  return startClientTamperProxy(targetPort, (record, index) => (index === 0 ? hideSupportedVersions(record) : record));
}
