// Exercise 08.19's client against servers no one here wrote, on 127.0.0.1: GnuTLS's gnutls-serv and nginx (OpenSSL
// inside, configured by nginx). One hello offering both versions, answered in TLS 1.3 by servers that speak it and in
// TLS 1.2 by servers limited to it; P-384 for the key exchange in both versions; ChaCha20-Poly1305 in TLS 1.2 (RFC
// 7905); the RSA, ECDSA P-256 and ECDSA P-384 certificates. The outside reference for the secrets: gnutls-serv's own
// key log (SSLKEYLOGFILE); nginx writes none, so a relay keeps the records it sent and Node's crypto decrypts them
// with the secrets from OUR key log (tests/support/tls12-oracle.ts, tls13-oracle.ts: code that shares nothing with
// the chapters). Each server starts once per suite; a suite skips itself only when the program is not installed.
import { expect } from "chai";
import { CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme, cipherSuites, describeCode } from "../../lib/constants.js";
import { fromHex, toHex } from "../../lib/hex.js";
import { readPemCertificates } from "../../lib/pem.js";
import { parseCertificates } from "../../chapters/03-certificates/index.js";
import type { TlsConnection, TlsOptions } from "../../chapters/08-tls13-handshake/index.js";
import { startClientTamperProxy } from "../support/client-tamper-proxy.js";
import { readFileSync } from "node:fs";
import { FIXTURE_CERTIFICATES, type GnutlsServer, P384_CERTIFICATE, startGnutlsServer } from "../support/gnutls.js";
import { skipUnlessInstalled } from "../support/installed.js";
import { type NginxServer, startNginx } from "../support/nginx.js";
import { referenceOpen, referenceOpenChaCha20, referencePrf } from "../support/tls12-oracle.js";
import { decryptServerRecords, expectSameKeyLog, fetchPageAny, roots, waitFor } from "./helpers.js";

/** The fixture CA (RSA and P-256 leaves) and chapter 03's test PKI roots (the P-384 leaf). */
const PKI_ROOTS = new URL("../fixtures/pki/roots.pem", import.meta.url);
const allRoots = () => [...roots(), ...parseCertificates(readPemCertificates(readFileSync(PKI_ROOTS, "utf8"), "pki/roots.pem"))];

const TLS13_ONLY = [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384, CipherSuite.TLS_CHACHA20_POLY1305_SHA256];

/** The certificate the server sent, as its key type: what the test asked the server to use. */
function leafKey(conn: TlsConnection): string {
  const key = conn.serverCertificates[0]!.publicKey;
  return key.kind === "ec" ? `ECDSA ${key.curve}` : key.kind;
}

/** Both versions were offered in our one ClientHello, whatever the server chose. */
function offeredBoth(conn: TlsConnection): void {
  const hello = conn.trace.find((e) => e.from === "client" && e.name === "client_hello")!.content;
  // supported_versions (00 2b), 5 bytes of data: length 4, then 03 04 and 03 03.
  expect(toHex(hello), "our ClientHello's supported_versions [TLS 1.3, TLS 1.2]").to.include("002b0005040304" + "0303");
}

/** The negotiated TLS 1.2 master secret must be GnuTLS's own, from its key log (CLIENT_RANDOM line). */
async function sameMaster12(conn: TlsConnection, keyLog: string[], server: GnutlsServer): Promise<void> {
  if (conn.version !== ProtocolVersion.TLS1_2) throw new Error(`expected TLS 1.2, got ${describeCode(ProtocolVersion, conn.version)}`);
  const random = toHex(conn.secrets.clientRandom);
  await waitFor(() => server.keyLog().get(random)?.has("CLIENT_RANDOM") === true, () => "no CLIENT_RANDOM line from gnutls-serv");
  expect(keyLog, "our key log").to.deep.equal([`CLIENT_RANDOM ${random} ${server.keyLog().get(random)!.get("CLIENT_RANDOM")}`]);
}

describe("08.19 interop: gnutls-serv (GnuTLS) answers our one hello", function () {
  this.timeout(20000);
  let both: GnutlsServer; // TLS 1.3 and 1.2, the RSA, P-256 and P-384 certificates
  let only12: GnutlsServer; // TLS 1.2 only, the RSA and P-384 certificates
  before(async function () {
    skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
    // In TLS 1.2 a signature scheme does not name a curve (RFC 5246 §7.4.1.4.1): with two ECDSA certificates GnuTLS
    // would pick either, so the TLS 1.2 server has one, on P-384 (nginx's tests have the P-256 one).
    [both, only12] = await Promise.all([
      startGnutlsServer({ certificates: [...FIXTURE_CERTIFICATES, P384_CERTIFICATE] }),
      startGnutlsServer({ certificates: [FIXTURE_CERTIFICATES[0]!, P384_CERTIFICATE], priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2" }),
    ]);
  });
  after(async () => {
    await Promise.all([both?.close(), only12?.close()]);
  });

  const fetch = (server: () => GnutlsServer, options: Partial<TlsOptions> = {}) => fetchPageAny(server().port, { ca: allRoots(), ...options });

  it("08.19 a TLS 1.3 server: TLS 1.3, and GnuTLS logged the very secrets we did", async () => {
    const { conn, response, keyLog } = await fetch(() => both);
    offeredBoth(conn);
    expect(conn.version).to.equal(ProtocolVersion.TLS1_3);
    expect(response, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.3");
    if (conn.version === ProtocolVersion.TLS1_3) await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => both.keyLog());
  });

  it("08.19 a TLS 1.2-only server: the same hello is answered in TLS 1.2, GnuTLS's master secret", async () => {
    const { conn, response, keyLog } = await fetch(() => only12);
    offeredBoth(conn);
    expect(response, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.2");
    await sameMaster12(conn, keyLog, only12);
  });

  for (const [name, scheme, expected] of [
    ["RSA", SignatureScheme.rsa_pss_rsae_sha256, "rsa"],
    ["ECDSA P-256", SignatureScheme.ecdsa_secp256r1_sha256, "ECDSA P-256"],
    ["ECDSA P-384", SignatureScheme.ecdsa_secp384r1_sha384, "ECDSA P-384"],
  ] as const) {
    it(`08.19 the ${name} certificate, key exchange on P-384, in TLS 1.3${name === "ECDSA P-256" ? "" : " and TLS 1.2"}; the secrets are GnuTLS's`, async () => {
      const options = { signatureSchemes: [scheme], groups: [NamedGroup.secp384r1] };
      const a = await fetch(() => both, options);
      expect([a.conn.version, leafKey(a.conn)], "TLS 1.3 with the certificate the signature scheme asks for").to.deep.equal([ProtocolVersion.TLS1_3, expected]);
      if (a.conn.version === ProtocolVersion.TLS1_3) {
        expect(a.conn.group, "the key share's group").to.equal(NamedGroup.secp384r1);
        await expectSameKeyLog(a.keyLog, a.conn.secrets.clientRandom, () => both.keyLog());
      }
      if (name === "ECDSA P-256") return;
      const b = await fetch(() => only12, options);
      expect(leafKey(b.conn), "the TLS 1.2 certificate").to.equal(expected);
      if (b.conn.version === ProtocolVersion.TLS1_2 && b.conn.serverKeyExchange?.kind === "ecdhe") {
        expect(b.conn.serverKeyExchange.params.namedCurve, "ECDHE's curve").to.equal(NamedGroup.secp384r1);
      }
      expect(b.response, "gnutls-serv names the curve").to.include("SECP384R1");
      await sameMaster12(b.conn, b.keyLog, only12);
    });
  }

  for (const suite of [CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]) {
    it(`08.19 TLS 1.2 ${cipherSuites.get(suite)!.name} (RFC 7905): GnuTLS's master secret, and its page read through our ChaCha20 records`, async () => {
      const { conn, response, keyLog } = await fetch(() => only12, { cipherSuites: [...TLS13_ONLY, suite] });
      expect(conn.cipherSuite).to.equal(suite);
      expect(response, "gnutls-serv's page names the cipher").to.include("CHACHA20-POLY1305");
      await sameMaster12(conn, keyLog, only12);
    });
  }
});

/** Secrets from our key log lines: label → bytes (one connection's lines). */
function secretsOf(keyLog: string[]): Map<string, string> {
  return new Map(keyLog.map((l) => l.split(" ")).map(([label, , secret]) => [label!, secret!]));
}

/**
 * TLS 1.2: opens the first application data record the server sent, as the relay saw it, with keys Node's crypto cut
 * from the master secret in OUR key log (RFC 5246 §6.3; the key block's layout for GCM and ChaCha20 suites).
 */
function openServerData12(serverRecords: Uint8Array[], clientRandom: Uint8Array, master: Uint8Array, suite: number): string {
  const info = cipherSuites.get(suite)!;
  const hash = info.hash === "SHA384" ? "sha384" : "sha256";
  const serverHello = serverRecords[0]!;
  const serverRandom = serverHello.subarray(5 + 4 + 2, 5 + 4 + 2 + 32);
  const chacha = info.aead === "CHACHA20_POLY1305";
  const keyLength = chacha || info.name.includes("AES_256") ? 32 : 16;
  const ivLength = chacha ? 12 : 4;
  const block = referencePrf(hash, master, "key expansion", Buffer.concat([serverRandom, clientRandom]), 2 * keyLength + 2 * ivLength);
  const key = block.slice(keyLength, 2 * keyLength);
  const iv = block.slice(2 * keyLength + ivLength, 2 * keyLength + 2 * ivLength);
  // After the server's ChangeCipherSpec its records count from 0: its Finished, then the data.
  const afterCcs = serverRecords.slice(serverRecords.findIndex((r) => r[0] === 20) + 1);
  const at = afterCcs.findIndex((r) => r[0] === 23);
  const record = afterCcs[at]!;
  const plaintext = chacha ? referenceOpenChaCha20(key, iv, BigInt(at), record) : referenceOpen(key, iv, BigInt(at), record);
  return new TextDecoder().decode(plaintext);
}

describe("08.19 interop: nginx answers our one hello", function () {
  this.timeout(20000);
  let both: NginxServer;
  let only12: NginxServer;
  before(async function () {
    skipUnlessInstalled(this, "nginx", "nginx-light");
    // keepalive_timeout 0: nginx closes after its answer, so a GET reads to the end.
    [both, only12] = await Promise.all([startNginx({ extra: "    keepalive_timeout 0;" }), startNginx({ protocols: "TLSv1.2", extra: "    keepalive_timeout 0;" })]);
  });
  after(async () => {
    await Promise.all([both?.close(), only12?.close()]);
  });

  /** A GET through a relay that keeps the records, so that the server's can be decrypted with our key log. */
  async function fetchSeen(server: () => NginxServer, options: Partial<TlsOptions> = {}) {
    const proxy = await startClientTamperProxy(server().port);
    try {
      const page = await fetchPageAny(proxy.port, options);
      return { ...page, serverRecords: proxy.seen().serverRecords };
    } finally {
      await proxy.close();
    }
  }

  for (const [group, suite] of [
    [NamedGroup.x25519, CipherSuite.TLS_AES_128_GCM_SHA256],
    [NamedGroup.secp384r1, CipherSuite.TLS_AES_256_GCM_SHA384],
    [NamedGroup.secp384r1, CipherSuite.TLS_CHACHA20_POLY1305_SHA256],
  ] as const) {
    it(`08.19 TLS 1.3, ${describeCode(NamedGroup, group)}, ${cipherSuites.get(suite)!.name}: nginx's own records decrypt with our key log`, async () => {
      const { conn, response, keyLog, serverRecords } = await fetchSeen(() => both, { groups: [group], cipherSuites: [suite, ...TLS13_ONLY.filter((s) => s !== suite)] });
      offeredBoth(conn);
      expect(response, "nginx's page").to.include(`nginx: TLSv1.3 ${cipherSuites.get(suite)!.name}`);
      if (conn.version !== ProtocolVersion.TLS1_3) return;
      expect(conn.group).to.equal(group);
      const opened = decryptServerRecords(serverRecords, secretsOf(keyLog), suite);
      const data = opened.filter((r) => r.stage === "application" && r.type === 23).map((r) => new TextDecoder().decode(r.content)).join("");
      expect(data, "nginx's answer, decrypted by Node with the secrets we logged").to.include("HTTP/1.1 200").and.include("nginx: TLSv1.3");
    });
  }

  for (const [suite, scheme] of [
    [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SignatureScheme.rsa_pss_rsae_sha256],
    [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, SignatureScheme.ecdsa_secp256r1_sha256],
    [CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, SignatureScheme.rsa_pss_rsae_sha256],
    [CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, SignatureScheme.ecdsa_secp256r1_sha256],
  ] as const) {
    it(`08.19 a TLS 1.2-only nginx, ${cipherSuites.get(suite)!.name} on P-384: the one hello goes on in TLS 1.2; nginx's records decrypt with our master secret`, async () => {
      const { conn, response, keyLog, serverRecords } = await fetchSeen(() => only12, {
        cipherSuites: [...TLS13_ONLY, suite],
        // P-384 first for the key exchange; P-256 too, since OpenSSL serves a P-256 ECDSA certificate in TLS 1.2 only
        // to a client that lists that curve (RFC 8422 §5.1.1).
        groups: [NamedGroup.secp384r1, NamedGroup.secp256r1],
        signatureSchemes: [scheme],
      });
      offeredBoth(conn);
      expect([conn.version, conn.cipherSuite]).to.deep.equal([ProtocolVersion.TLS1_2, suite]);
      expect(response, "nginx's page").to.match(/nginx: TLSv1\.2 \S+ secp384r1/);
      const [label, random, master] = keyLog[0]!.split(" ");
      expect(label).to.equal("CLIENT_RANDOM");
      const data = openServerData12(serverRecords, fromHex(random!), fromHex(master!), suite);
      expect(data, "nginx's answer, decrypted by Node with the master secret we logged").to.include("HTTP/1.1 200").and.include("nginx: TLSv1.2");
    });
  }
});
