// Replaying RFC 8448's traces through our client (shared by rfc8448.ts, framing.ts and post-handshake.ts): the
// trace's records and printed keys, and the options that make our client send the trace's own ClientHello with the
// trace's private key, so that a correct client writes the trace's records byte for byte.
import { expect } from "chai";
import { x25519 } from "@noble/curves/ed25519.js";
import { NamedGroup } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { type Certificate, validateChain } from "../../chapters/03-certificates/index.js";
import type { Tls13Options } from "../../chapters/08-tls13-handshake/index.js";
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
  expect(toHex(x25519.getPublicKey(privateKey)), "the trace's key pair").to.equal(toHex(publicKey));
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

