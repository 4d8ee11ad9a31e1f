// Chapter 08's TLS 1.3 client against servers no one here wrote, on 127.0.0.1: GnuTLS's gnutls-serv and nginx
// (OpenSSL inside), each started once per suite. Mutual TLS (08.21): both demand a client certificate from the test
// root and report whose they got (gnutls-serv prints it and shows it on its page; nginx puts $ssl_client_s_dn in a
// header); without one, gnutls-serv's certificate_required reaches us by name. The keys a real server may insist on
// (08.17): the Ed25519 and RSA-PSS fixtures (tests/fixtures/make-certs.sh), CertificateVerify signed with them. The
// outside references: gnutls-serv's key log (SSLKEYLOGFILE), equal to ours line for line, and nginx's records,
// opened by Node with the secrets we logged.
import { expect } from "chai";
import { SignatureScheme, describeCode } from "../../lib/constants.js";
import { type TraceEntry, isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { type ClientKind, nodeCredential } from "../support/client-credentials.js";
import { expectBytes } from "../support/expect-bytes.js";
import { fixturePath } from "../support/fixtures.js";
import { type GnutlsServer, startGnutlsServer } from "../support/gnutls.js";
import { installed, skipUnlessInstalled } from "../support/installed.js";
import { type KeyKind, keyedFiles } from "../support/key-peers.js";
import { type NginxServer, startNginx } from "../support/nginx.js";
import { secretsOf, throughRelay } from "../support/relay-records.js";
import { decryptServerRecords, expectRejection, expectSameKeyLog, fetchPage13, waitFor } from "./helpers.js";

/** Starts a peer if its program is installed; if not, nothing is started and its tests skip themselves. */
const ifInstalled = <T>(program: string, start: () => Promise<T>): Promise<T> => (installed(program) ? start() : Promise.resolve(undefined as unknown as T));

const SUBJECT: Record<ClientKind, string> = { rsa: "tls-by-hand test client (RSA)", ecdsa: "tls-by-hand test client (ECDSA)" };
const TLS13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3";
const MTLS_ARGS = ["--require-client-cert", "--verify-client-cert", "--x509cafile", fixturePath("ca.crt")];
const NGINX_MTLS = `    ssl_verify_client on;
    ssl_client_certificate ${fixturePath("ca.crt")};
    keepalive_timeout 0;
    add_header X-Client-DN "$ssl_client_s_dn" always;
    add_header X-Client-Verify "$ssl_client_verify" always;`;

const since = (server: GnutlsServer, from: number) => server.output().slice(from);

/** nginx's application data, opened by Node's crypto with the secrets of our key log. */
function nginxData(serverRecords: Uint8Array[], keyLog: string[], suite: number): string {
  return decryptServerRecords(serverRecords, secretsOf(keyLog), suite)
    .filter((r) => r.stage === "application" && r.type === 23)
    .map((r) => new TextDecoder().decode(r.content))
    .join("");
}

describe("08.21 peers: mutual TLS 1.3 with gnutls-serv (--require-client-cert) and nginx (ssl_verify_client on)", function () {
  this.timeout(20000);
  let gnutls: GnutlsServer;
  let nginx: NginxServer;
  before(async () => {
    [gnutls, nginx] = await Promise.all([ifInstalled("gnutls-serv", () => startGnutlsServer({ priority: TLS13, args: MTLS_ARGS })), ifInstalled("nginx", () => startNginx({ protocols: "TLSv1.3", extra: NGINX_MTLS }))]);
  });
  after(async () => {
    await Promise.all([gnutls?.close(), nginx?.close()]);
  });

  for (const [kind, signature] of [
    ["rsa", "RSA-PSS-RSAE-SHA256"],
    ["ecdsa", "ECDSA-SECP256R1-SHA256"],
  ] as [ClientKind, string][]) {
    it(`08.21 gnutls-serv: our ${kind.toUpperCase()} certificate is received and verified, shown on its page; our Certificate, CertificateVerify, Finished; the key log is GnuTLS's`, async function () {
      skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
      const from = gnutls.output().length;
      const trace: TraceEntry[] = [];
      const { conn, response, keyLog } = await fetchPage13(gnutls.port, { clientCredential: nodeCredential(kind), onTrace: (e) => trace.push(e) });
      expect(response, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.3").and.include(`Subject: CN=${SUBJECT[kind]},O=tls-by-hand`);
      await waitFor(() => /Client Signature: /.test(since(gnutls, from)), () => since(gnutls, from));
      const printed = since(gnutls, from);
      expect(printed, "gnutls-serv's account of the connection").to.include(`Subject: CN=${SUBJECT[kind]},O=tls-by-hand`).and.include("Status: The certificate is trusted.");
      expect(printed, "the signature gnutls-serv checked").to.include(`Client Signature: ${signature}`);
      const ours = trace.filter((e) => e.from === "client" && e.contentType === 22).map((e) => e.name);
      expect(ours.slice(1, 4), "our second flight (RFC 8446 §2)").to.deep.equal(["certificate", "certificate_verify", "finished"]);
      await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => gnutls.keyLog());
    });

    it(`08.21 nginx: our ${kind.toUpperCase()} certificate is verified ($ssl_client_verify SUCCESS, $ssl_client_s_dn ours); nginx's records open with our key log`, async function () {
      skipUnlessInstalled(this, "nginx", "nginx-light");
      const { conn, response, keyLog, serverRecords } = await throughRelay(nginx.port, (port) => fetchPage13(port, { clientCredential: nodeCredential(kind) }));
      expect(response, "nginx's answer").to.match(/^HTTP\/1\.1 200 OK/).and.include("nginx: TLSv1.3");
      expect(response, "nginx's $ssl_client_verify").to.match(/X-Client-Verify: SUCCESS\r\n/);
      expect(response, "nginx's $ssl_client_s_dn (RFC 2253 order)").to.include(`X-Client-DN: CN=${SUBJECT[kind]},O=tls-by-hand\r\n`);
      expect(nginxData(serverRecords, keyLog, conn.cipherSuite), "nginx's answer, opened by Node with the secrets we logged").to.include(`X-Client-DN: CN=${SUBJECT[kind]}`);
    });
  }

  it("08.21 gnutls-serv demands a certificate and we have none: an empty Certificate, and its certificate_required by name, never \"write EPIPE\"", async function () {
    skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
    for (let run = 1; run <= 3; run++) {
      const trace: TraceEntry[] = [];
      const e = await expectRejection(() => fetchPage13(gnutls.port, { onTrace: (t) => trace.push(t) }));
      expect(e.message, `run ${run}: the error`).not.to.match(/EPIPE|ECONNRESET|socket/i);
      expect(isReceivedAlert(e), `run ${run}: an alert from the server: ${e.message}`).to.equal(true);
      expect(e.alertName, `run ${run}: ${e.message}`).to.equal("certificate_required");
      const certificate = trace.find((t) => t.from === "client" && t.name === "certificate")?.content;
      expectBytes(certificate, Uint8Array.of(11, 0, 0, 4, 0, 0, 0, 0), `run ${run}: our Certificate: empty context, empty list (RFC 8446 §4.4.2.4)`);
    }
  });
});

const KINDS: { kind: KeyKind; scheme: number; key: string; gnutlsName: string }[] = [
  { kind: "ed25519", scheme: SignatureScheme.ed25519, key: "ed25519", gnutlsName: "EdDSA-Ed25519" },
  { kind: "rsa-pss", scheme: SignatureScheme.rsa_pss_pss_sha256, key: "rsa", gnutlsName: "RSA-PSS-SHA256" },
];

describe("08.17 peers: Ed25519 and RSA-PSS server certificates in TLS 1.3 (gnutls-serv, nginx)", function () {
  this.timeout(20000);
  const gnutls = new Map<KeyKind, GnutlsServer>();
  const nginx = new Map<KeyKind, NginxServer>();
  before(async () => {
    await Promise.all(
      KINDS.map(async ({ kind }) => {
        const files = keyedFiles(kind);
        const certificates = [{ cert: files.chain, key: files.key }];
        const [g, n] = await Promise.all([
          ifInstalled("gnutls-serv", () => startGnutlsServer({ certificates, priority: TLS13 })),
          ifInstalled("nginx", () => startNginx({ certificates, protocols: "TLSv1.3", extra: "    keepalive_timeout 0;" })),
        ]);
        gnutls.set(kind, g);
        nginx.set(kind, n);
      }),
    );
  });
  after(async () => {
    await Promise.all([...gnutls.values(), ...nginx.values()].map((s) => s?.close()));
  });

  for (const { kind, scheme, key, gnutlsName } of KINDS) {
    const name = describeCode(SignatureScheme, scheme);
    it(`08.17 gnutls-serv with the ${kind} certificate: CertificateVerify ${name}, the chain through its ${kind} CA, the same key log`, async function () {
      skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
      const server = gnutls.get(kind)!;
      const { conn, response, keyLog } = await fetchPage13(server.port);
      expect(response, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.3").and.include(gnutlsName);
      expect(conn.certificateVerify.scheme, "the scheme the server signed with").to.equal(scheme);
      expect(conn.serverCertificates[0]!.publicKey.kind, "the server's key").to.equal(key);
      expect(conn.validation.path, "leaf, its CA, the root").to.have.length(3);
      await expectSameKeyLog(keyLog, conn.secrets.clientRandom, () => server.keyLog());
    });

    it(`08.17 nginx with the ${kind} certificate: CertificateVerify ${name}, the chain through its ${kind} CA; nginx's records open with our key log`, async function () {
      skipUnlessInstalled(this, "nginx", "nginx-light");
      const { conn, response, keyLog, serverRecords } = await throughRelay(nginx.get(kind)!.port, (port) => fetchPage13(port));
      expect(response, "nginx's answer").to.match(/^HTTP\/1\.1 200 OK/).and.include("nginx: TLSv1.3");
      expect(conn.certificateVerify.scheme, "the scheme the server signed with").to.equal(scheme);
      expect(conn.validation.path, "leaf, its CA, the root").to.have.length(3);
      expect(nginxData(serverRecords, keyLog, conn.cipherSuite), "nginx's answer, opened by Node with the secrets we logged").to.include("nginx: TLSv1.3");
    });
  }
});
