// Reads the ServerHello out of `openssl s_server -trace` (or `s_client -trace`) output, so a test can ask the real
// server what it negotiated (version, cipher suite, key share group) instead of trusting the learner's decoder.
// Written against OpenSSL 3.0's trace format; a HelloRetryRequest is printed as a "ServerHello" there, and is
// recognised by its special random (RFC 8446 §4.1.3).

export interface TracedServerHello {
  /** legacy_version / server_version: 0x0303 in both TLS 1.2 and TLS 1.3 (RFC 8446 §4.1.3). */
  legacyVersion: number;
  /** The version actually chosen: supported_versions if present (TLS 1.3), otherwise legacyVersion. */
  version: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuite: number;
  /** OpenSSL's IANA-style name, e.g. "TLS_AES_256_GCM_SHA384" or "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256". */
  cipherSuiteName: string;
  /** Extension names in the order sent, as OpenSSL prints them ("supported_versions", "key_share", …). */
  extensions: string[];
  /** The key_share group as OpenSSL prints it ("ecdh_x25519", "secp256r1 (P-256)"), TLS 1.3 only. */
  keyShareGroup?: string;
  helloRetryRequest: boolean;
}

// SHA-256("HelloRetryRequest"), the random that marks a ServerHello as a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c";

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"));

function need(block: string, pattern: RegExp, what: string): RegExpExecArray {
  const m = pattern.exec(block);
  if (!m) throw new Error(`openssl trace: ServerHello without ${what}:\n${block}`);
  return m;
}

/** Every ServerHello (HelloRetryRequests included) in the trace, in order. */
export function serverHellosFromTrace(output: string): TracedServerHello[] {
  const hellos: TracedServerHello[] = [];
  // A message block runs from its "ServerHello, Length=" line to the next blank line.
  for (const m of output.matchAll(/^ *ServerHello, Length=\d+\n((?:.+\n)*)/gm)) {
    const block = m[1]!;
    const legacyVersion = parseInt(need(block, /server_version=0x([0-9A-Fa-f]+)/, "server_version")[1]!, 16);
    const time = need(block, /gmt_unix_time=0x([0-9A-Fa-f]{8})/, "random")[1]!;
    const rest = need(block, /random_bytes \(len=28\): ([0-9A-Fa-f]{56})/, "random")[1]!;
    const random = fromHex(time + rest);
    const sessionId = fromHex(need(block, /session_id \(len=\d+\): ?([0-9A-Fa-f]*)/, "session_id")[1]!);
    const suite = need(block, /cipher_suite \{0x([0-9A-Fa-f]{2}), 0x([0-9A-Fa-f]{2})\} (\S+)/, "cipher_suite");
    const extensions = [...block.matchAll(/extension_type=([A-Za-z0-9_]+)\(\d+\)/g)].map((e) => e[1]!);
    // supported_versions in a ServerHello holds one version, printed on the line after the extension.
    const sv = /extension_type=supported_versions\(43\), length=2\n.*\((\d+)\)/.exec(block);
    const group = /NamedGroup: (.+) \(\d+\)$/m.exec(block);
    hellos.push({
      legacyVersion,
      version: sv ? Number(sv[1]) : legacyVersion,
      random,
      sessionId,
      cipherSuite: (parseInt(suite[1]!, 16) << 8) | parseInt(suite[2]!, 16),
      cipherSuiteName: suite[3]!,
      extensions,
      ...(group ? { keyShareGroup: group[1]! } : {}),
      helloRetryRequest: Buffer.from(random).toString("hex") === HRR_RANDOM,
    });
  }
  return hellos;
}

/** The `index`-th ServerHello in the trace (a HelloRetryRequest counts); throws if there is none. */
export function serverHelloFromTrace(output: string, index = 0): TracedServerHello {
  const hellos = serverHellosFromTrace(output);
  const hello = hellos[index];
  if (!hello) {
    throw new Error(
      `openssl trace: no ServerHello #${index} (found ${hellos.length}); was the server started with -trace?`,
    );
  }
  return hello;
}
