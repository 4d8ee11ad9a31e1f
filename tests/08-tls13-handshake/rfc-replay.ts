// Replaying RFC 8448's traces through our client (shared by rfc8448.ts, framing.ts, steps.ts and post-handshake.ts):
// the trace's records and printed keys, the options that make our client send the trace's own ClientHello with the
// trace's private key (so that a correct client writes the trace's records byte for byte), and the inputs each step
// of the handshake receives, built from the trace alone.
import { expect } from "chai";
import { x25519 } from "@noble/curves/ed25519.js";
import { NamedGroup } from "../../lib/constants.js";
import { decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { checkServerHello, decodeServerHello } from "../../chapters/02-server-hello/index.js";
import { type Certificate, validateChain } from "../../chapters/03-certificates/index.js";
import { type Aead13, type TrafficKeys, TranscriptHash, earlySecrets } from "../../chapters/07-tls13-key-schedule/index.js";
import {
  type ApplicationKeys,
  type HandshakeKeys,
  type Hellos,
  type Tls13Options,
  Tls13RecordLayer,
  direction13,
} from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { replayTransport } from "../support/replay-transport.js";
import { type TraceSection, findValue } from "../support/rfc8448.js";
import { rfcMessage } from "./vectors.js";

/** RFC 8448's certificate ("CN=rsa") names no host and was valid 2016–2026: judged at a time inside that, without a name. */
export const RFC_TIME = new Date("2020-01-01T00:00:00Z");
export const validateRfcChain = (chain: Certificate[]) => validateChain(chain, { roots: chain.slice(-1), at: RFC_TIME });

/** The Nth "complete record" printed under a step containing `step`, e.g. "send handshake record". */
export const record = (s: TraceSection, step: string, occurrence: number) => findValue(s, step, "complete record", occurrence);
export const payload = (s: TraceSection, step: string, occurrence: number) => findValue(s, step, "payload", occurrence);
export const asRecord = (bytes: Uint8Array) => ({ type: bytes[0]!, version: (bytes[1]! << 8) | bytes[2]!, fragment: bytes.slice(5) });

/** The four directions' keys as the trace prints them (the server derives all four). */
export function traceKeys(s: TraceSection) {
  const k = (step: string, occurrence = 0) => ({ key: findValue(s, step, "key expanded", occurrence), iv: findValue(s, step, "iv expanded", occurrence) });
  return {
    serverHandshake: k("derive write traffic keys for handshake data"),
    clientHandshake: k("derive read traffic keys for handshake data"),
    serverApplication: k("derive write traffic keys for application data"),
    clientApplication: k("derive write traffic keys for application data", 1),
  };
}

/** The client's x25519 key pair printed at the start of section `s`. */
export function clientX25519(s: TraceSection) {
  const privateKey = findValue(s, "create an ephemeral x25519 key pair", "private key");
  const publicKey = findValue(s, "create an ephemeral x25519 key pair", "public key");
  expectBytes(x25519.getPublicKey(privateKey), publicKey, "the trace's key pair");
  return { group: NamedGroup.x25519, privateKey, publicKey };
}

/** Options that make our client send the trace's ClientHello with the trace's key. */
export function replayOptions(s: TraceSection, keyLog: string[]): Tls13Options {
  return {
    servername: "server",
    ca: [],
    keyLog: (line) => keyLog.push(line),
    fixed: { clientHello: decodeClientHello(rfcMessage(s, "ClientHello")), keyPairs: [clientX25519(s)], validate: validateRfcChain },
  };
}

export const secret = (s: TraceSection, label: string) => findValue(s, `derive secret "tls13 ${label}"`, "expanded");


// ---------------------------------------------------------------------------------------------------------------
// Recorded inputs for the handshake's steps (08.9–08.16), each built from the trace alone, never by an earlier step

/** The transcript hash RFC 8448 prints where a secret is derived: "c hs traffic" (CH…SH), "c ap traffic" (CH…server Finished), "res master" (CH…client Finished). */
export const printedTranscriptHash = (s: TraceSection, label: "c hs traffic" | "c ap traffic" | "res master") =>
  findValue(s, `derive secret "tls13 ${label}"`, "hash");

/** A record layer over a replay of `serverRecords`, in the handshake window, with the given keys on (if any). */
export function layerOver(serverRecords: Uint8Array[], keys: { read?: TrafficKeys; write?: TrafficKeys; aead?: Aead13 } = {}) {
  const transport = replayTransport(serverRecords);
  const records = new Tls13RecordLayer(transport);
  records.inHandshake = true;
  const aead = keys.aead ?? "AES_128_GCM";
  if (keys.read !== undefined) records.setReadKeys(direction13(aead, keys.read, "server handshake traffic"));
  if (keys.write !== undefined) records.setWriteKeys(direction13(aead, keys.write, "client handshake traffic"));
  return { records, transport };
}

/**
 * What processServerHello would have returned for section `s` (no HelloRetryRequest): the trace's ClientHello and
 * key pair, its ServerHello, the transcript holding both (chapter 07's TranscriptHash, chapter 02's check) plus
 * `more` messages after them.
 */
export function rfcHellos(s: TraceSection, ...more: Uint8Array[]): Hellos {
  const clientHello = decodeClientHello(rfcMessage(s, "ClientHello"));
  const serverHelloMessage = rfcMessage(s, "ServerHello");
  const serverHello = decodeServerHello(serverHelloMessage);
  const transcript = new TranscriptHash("SHA-256");
  for (const m of [rfcMessage(s, "ClientHello"), serverHelloMessage, ...more]) transcript.add(m);
  return {
    clientHello,
    keyPairs: [clientX25519(s)],
    serverHello,
    serverHelloMessage,
    negotiated: checkServerHello(clientHello, serverHello),
    transcript,
    helloRetryRequest: false,
    changeCipherSpecSent: false,
  };
}

/** The server's encrypted flight of section `s` (3 or 7), message by message: EncryptedExtensions, Certificate, CertificateVerify, Finished. */
export const rfcFlight = (s: TraceSection = 3) => ["EncryptedExtensions", "Certificate", "CertificateVerify"].map((m) => rfcMessage(s, m)).concat([rfcMessage(s, "Finished", 0)]);

/** What establishHandshakeKeys would have returned for section `s`, from the values the trace prints. */
export function rfcHandshakeKeys(s: TraceSection): HandshakeKeys {
  const keys = traceKeys(s);
  return {
    cipherSuite: 0x1301,
    hash: "SHA-256",
    aead: "AES_128_GCM",
    group: NamedGroup.x25519,
    sharedSecret: findValue(s, 'extract secret "handshake"', "IKM"),
    early: earlySecrets("SHA-256"),
    secrets: {
      hash: "SHA-256",
      handshakeSecret: findValue(s, 'extract secret "handshake"', "secret"),
      clientHandshakeTrafficSecret: secret(s, "c hs traffic"),
      serverHandshakeTrafficSecret: secret(s, "s hs traffic"),
    },
    keys: { client: keys.clientHandshake, server: keys.serverHandshake },
  };
}

/** What readServerFinished would have returned for section `s`, from the values the trace prints. */
export function rfcApplicationKeys(s: TraceSection): ApplicationKeys {
  const keys = traceKeys(s);
  return {
    secrets: {
      hash: "SHA-256",
      masterSecret: findValue(s, 'extract secret "master"', "secret"),
      clientApplicationTrafficSecret: secret(s, "c ap traffic"),
      serverApplicationTrafficSecret: secret(s, "s ap traffic"),
      exporterMasterSecret: secret(s, "exp master"),
    },
    keys: { client: keys.clientApplication, server: keys.serverApplication },
  };
}
