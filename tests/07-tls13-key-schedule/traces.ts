// Shared by the chapter 07 tests (no tests here): the handshake messages and printed values of RFC 8448 §3 (simple
// 1-RTT), §4 (resumed, 0-RTT) and §5 (HelloRetryRequest), read from the RFC text by tests/support/rfc8448.ts, and the
// recorded connection of tls13.xargs.org (tests/vectors/illustrated-tls13). Nothing here calls the code under test.
import { type TraceSection, findValue } from "../support/rfc8448.js";
import { u8, unhex, vectorFile } from "./oracles.js";

/** The handshake messages of a trace, as sent (4-byte header included), in transcript order. */
export interface TraceMessages {
  /** ClientHello…ServerHello as they enter the transcript (§5: ClientHello1, HelloRetryRequest, ClientHello2, ServerHello). */
  hellos: Uint8Array[];
  encryptedExtensions: Uint8Array;
  /** Certificate and CertificateVerify; absent in §4 (a PSK handshake authenticates with the PSK). */
  certificate?: Uint8Array;
  certificateVerify?: Uint8Array;
  serverFinished: Uint8Array;
  /** §4 only: after the server's Finished, the client ends its 0-RTT data (RFC 8446 §4.5); it is in the transcript. */
  endOfEarlyData?: Uint8Array;
  clientFinished: Uint8Array;
}

export function traceMessages(section: 3 | 4 | 5): TraceMessages {
  const f = (action: string, label: string, n = 0) => findValue(section, action, label, n);
  const hellos =
    section === 5
      ? [f("construct a ClientHello", "ClientHello", 0), f("construct a ServerHello", "ServerHello", 0), f("construct a ClientHello", "ClientHello", 1), f("construct a ServerHello", "ServerHello", 1)]
      : section === 4
        ? // §4 prints its ClientHello before the binders are filled in; the record's payload is the message as sent.
          [f("send handshake record", "payload", 0), f("construct a ServerHello", "ServerHello")]
        : [f("construct a ClientHello", "ClientHello"), f("construct a ServerHello", "ServerHello")];
  return {
    hellos,
    encryptedExtensions: f("construct an EncryptedExtensions", "EncryptedExtensions"),
    ...(section === 4
      ? {}
      : { certificate: f("construct a Certificate handshake", "Certificate"), certificateVerify: f("construct a CertificateVerify", "CertificateVerify") }),
    serverFinished: f("construct a Finished", "Finished", 0),
    ...(section === 4 ? { endOfEarlyData: f("construct an EndOfEarlyData", "EndOfEarlyData") } : {}),
    clientFinished: f("construct a Finished", "Finished", 1),
  };
}

/** The messages up to and including the server's Finished (the application secrets' transcript). */
export function throughServerFinished(m: TraceMessages): Uint8Array[] {
  return [...throughCertificateVerify(m), m.serverFinished];
}

/** What the client's Finished covers: through the server's Finished, and EndOfEarlyData if 0-RTT data was sent. */
export function beforeClientFinished(m: TraceMessages): Uint8Array[] {
  return [...throughServerFinished(m), ...(m.endOfEarlyData ? [m.endOfEarlyData] : [])];
}

/** Everything through the client's Finished (the resumption master secret's transcript). */
export function throughClientFinished(m: TraceMessages): Uint8Array[] {
  return [...beforeClientFinished(m), m.clientFinished];
}

/** The messages up to and including the server's CertificateVerify (what the server's Finished covers). */
export function throughCertificateVerify(m: TraceMessages): Uint8Array[] {
  return [...m.hellos, m.encryptedExtensions, ...(m.certificate ? [m.certificate, m.certificateVerify!] : [])];
}

/** Values printed under one step of a trace, by label; the step is the `occurrence`-th whose action includes `action`. */
export function printed(section: TraceSection, action: string, label: string, occurrence = 0): Uint8Array {
  return findValue(section, action, label, occurrence);
}

/** The Finished message's body: verify_data, after the 4-byte header. */
export const verifyDataOf = (finished: Uint8Array): Uint8Array => finished.slice(4);

// ---------------------------------------------------------------------------------------------------------------
// tls13.xargs.org: TLS_AES_256_GCM_SHA384, x25519, fixed randoms.

export interface IllustratedValues {
  cipherSuite: string;
  clientEphemeralX25519: { private: string; public: string };
  serverEphemeralX25519: { private: string; public: string };
  statedOnPage: Record<string, string>;
  keylog: { label: string; client_random: string; secret: string }[];
}

export const illustrated = {
  values: (): IllustratedValues => JSON.parse(vectorFile("illustrated-tls13/values.json").toString("utf8")) as IllustratedValues,
  keylog: (): string => vectorFile("illustrated-tls13/keylog.txt").toString("utf8"),
  /** A captured record or decrypted TLSInnerPlaintext, whole. */
  cap: (name: string): Uint8Array => u8(vectorFile(`illustrated-tls13/caps/${name}`)),
  /** A plaintext handshake record's message (strip the 5-byte record header). */
  plainRecordMessage: (name: string): Uint8Array => u8(vectorFile(`illustrated-tls13/caps/${name}`)).slice(5),
  /** A decrypted TLSInnerPlaintext's content (strip the trailing content type byte; these have no padding). */
  innerContent: (name: string): Uint8Array => {
    const inner = u8(vectorFile(`illustrated-tls13/caps/${name}`));
    return inner.slice(0, inner.length - 1);
  },
  /** A value the page states, by the start of its key (the keys carry notes in parentheses). */
  stated: (key: string): Uint8Array => {
    const values = illustrated.values().statedOnPage;
    const k = Object.keys(values).find((name) => name === key || name.startsWith(key + " "));
    if (k === undefined) throw new Error(`illustrated-tls13/values.json: no stated value "${key}"`);
    return unhex(values[k]!);
  },
};

/** The illustrated connection's messages, as sent, in transcript order. */
export function illustratedMessages(): TraceMessages {
  return {
    hellos: [illustrated.plainRecordMessage("clienthello"), illustrated.plainRecordMessage("serverhello")],
    encryptedExtensions: illustrated.innerContent("serverextensions"),
    certificate: illustrated.innerContent("servercert"),
    certificateVerify: illustrated.innerContent("servercertverify"),
    serverFinished: illustrated.innerContent("serverfinished"),
    clientFinished: illustrated.innerContent("clientfinished"),
  };
}
