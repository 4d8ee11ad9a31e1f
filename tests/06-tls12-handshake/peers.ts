// Chapter 06's TLS 1.2 client against servers no one here wrote, on 127.0.0.1: GnuTLS's gnutls-serv and nginx
// (OpenSSL inside), each started once per suite. Mutual TLS (06.16): both demand a client certificate from the test
// root and report whose they got (gnutls-serv prints it, and its page shows it; nginx puts $ssl_client_s_dn in a
// header). Without a certificate, gnutls-serv's alert must reach us by name, never as "write EPIPE" (it closes while
// our flight is still going out). The keys a real server may insist on (06.13): the Ed25519 and RSA-PSS fixtures
// (tests/fixtures/make-certs.sh), ServerKeyExchange signed with them. The outside references: gnutls-serv's key log
// (SSLKEYLOGFILE), gnutls-cli's account of the alert, and nginx's records, opened by Node with our master secret.
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { CipherSuite, SignatureScheme, describeCode } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { type TraceEntry, isReceivedAlert } from "../../chapters/06-tls12-handshake/index.js";
import { type ClientKind, nodeCredential } from "../support/client-credentials.js";
import { fixturePath } from "../support/fixtures.js";
import { type GnutlsServer, startGnutlsServer } from "../support/gnutls.js";
import { installed, skipUnlessInstalled } from "../support/installed.js";
import { type KeyKind, keyedFiles } from "../support/key-peers.js";
import { type NginxServer, startNginx } from "../support/nginx.js";
import { openServerData12, throughRelay } from "../support/relay-records.js";
import { expectRejection, fetchPage, waitFor } from "./helpers.js";

/** Starts a peer if its program is installed; if not, nothing is started and its tests skip themselves. */
const ifInstalled = <T>(program: string, start: () => Promise<T>): Promise<T> => (installed(program) ? start() : Promise.resolve(undefined as unknown as T));

const SUBJECT: Record<ClientKind, string> = { rsa: "tls-by-hand test client (RSA)", ecdsa: "tls-by-hand test client (ECDSA)" };
const MTLS_ARGS = ["--require-client-cert", "--verify-client-cert", "--x509cafile", fixturePath("ca.crt")];
/** nginx: demand a certificate from the test root, and say whose it got (a header on every answer). */
const NGINX_MTLS = `    ssl_verify_client on;
    ssl_client_certificate ${fixturePath("ca.crt")};
    keepalive_timeout 0;
    add_header X-Client-DN "$ssl_client_s_dn" always;
    add_header X-Client-Verify "$ssl_client_verify" always;`;

/** What gnutls-serv printed from `from` on (the connections since then). */
const since = (server: GnutlsServer, from: number) => server.output().slice(from);

/** Our one CLIENT_RANDOM line must be GnuTLS's own (its SSLKEYLOGFILE) for our client random. */
async function expectGnutlsMaster(keyLog: string[], clientRandom: Uint8Array, server: GnutlsServer): Promise<void> {
  const random = toHex(clientRandom);
  await waitFor(() => server.keyLog().get(random)?.has("CLIENT_RANDOM") === true, () => "no CLIENT_RANDOM line from gnutls-serv for our client random");
  expect(keyLog, "our key log, against gnutls-serv's").to.deep.equal([`CLIENT_RANDOM ${random} ${server.keyLog().get(random)!.get("CLIENT_RANDOM")}`]);
}

/** What our client sent, by message name. */
function traced() {
  const trace: TraceEntry[] = [];
  return { trace, onTrace: (e: TraceEntry) => trace.push(e) };
}
const sentNames = (trace: TraceEntry[]) => trace.filter((e) => e.from === "client" && e.contentType === 22).map((e) => e.name);

/** The alert gnutls-cli (GnuTLS's own client) receives from `port` when it has no certificate to give. */
function gnutlsCliAlert(port: number): string {
  const run = spawnSync("gnutls-cli", ["--insecure", "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2", "--port", String(port), "127.0.0.1"], {
    input: "",
    encoding: "latin1",
    timeout: 5000,
  });
  const text = `${run.stdout}${run.stderr}`;
  const m = /Received alert \[(\d+)\]/.exec(text);
  if (m === null) throw new Error(`gnutls-cli reported no alert:\n${text}`);
  return m[1]!;
}

describe("06.16 peers: mutual TLS 1.2 with gnutls-serv (--require-client-cert) and nginx (ssl_verify_client on)", function () {
  this.timeout(20000);
  let gnutls: GnutlsServer;
  let nginx: NginxServer;
  before(async () => {
    [gnutls, nginx] = await Promise.all([ifInstalled("gnutls-serv", () => startGnutlsServer({ args: MTLS_ARGS })), ifInstalled("nginx", () => startNginx({ extra: NGINX_MTLS }))]);
  });
  after(async () => {
    await Promise.all([gnutls?.close(), nginx?.close()]);
  });

  for (const kind of ["rsa", "ecdsa"] as ClientKind[]) {
    it(`06.16 gnutls-serv: our ${kind.toUpperCase()} certificate is received and verified, shown on its page; the master secret is GnuTLS's`, async function () {
      skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
      const from = gnutls.output().length;
      const { trace, onTrace } = traced();
      const { conn, response, keyLog } = await fetchPage(gnutls.port, { clientCredential: nodeCredential(kind), onTrace });
      expect(response, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.2").and.include(`Subject: CN=${SUBJECT[kind]},O=tls-by-hand`);
      await waitFor(() => /Client Signature: /.test(since(gnutls, from)), () => since(gnutls, from));
      const printed = since(gnutls, from);
      expect(printed, "gnutls-serv's account of the connection").to.include(`Subject: CN=${SUBJECT[kind]},O=tls-by-hand`).and.include("Status: The certificate is trusted.");
      expect(printed, "the signature gnutls-serv checked").to.include(kind === "rsa" ? "Client Signature: RSA-PSS" : "Client Signature: ECDSA-SHA256");
      expect(sentNames(trace).slice(1, 4), "our flight: Certificate, ClientKeyExchange, CertificateVerify (RFC 5246 §7.3)").to.deep.equal([
        "certificate",
        "client_key_exchange",
        "certificate_verify",
      ]);
      await expectGnutlsMaster(keyLog, conn.secrets.clientRandom, gnutls);
    });

    it(`06.16 nginx: our ${kind.toUpperCase()} certificate is verified ($ssl_client_verify SUCCESS, $ssl_client_s_dn ours); nginx's records open with our master secret`, async function () {
      skipUnlessInstalled(this, "nginx", "nginx-light");
      const { conn, response, keyLog, serverRecords } = await throughRelay(nginx.port, (port) => fetchPage(port, { clientCredential: nodeCredential(kind) }));
      expect(response, "nginx's answer").to.match(/^HTTP\/1\.1 200 OK/).and.include("nginx: TLSv1.2");
      expect(response, "nginx's $ssl_client_verify").to.match(/X-Client-Verify: SUCCESS\r\n/);
      expect(response, "nginx's $ssl_client_s_dn (RFC 2253 order)").to.include(`X-Client-DN: CN=${SUBJECT[kind]},O=tls-by-hand\r\n`);
      const opened = openServerData12(serverRecords, keyLog[0]!, conn.cipherSuite);
      expect(opened, "nginx's answer, opened by Node with the master secret we logged").to.include(`X-Client-DN: CN=${SUBJECT[kind]}`);
    });
  }

  it("06.16 gnutls-serv demands a certificate and we have none: its alert, by name (the one gnutls-cli receives), never \"write EPIPE\"; five times over", async function () {
    skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
    const expected = Number(gnutlsCliAlert(gnutls.port));
    // The server closes right after its alert, while our ClientKeyExchange, ChangeCipherSpec and Finished may still be
    // going out: whether our write then fails first is a matter of timing, so the test tries it several times.
    for (let run = 1; run <= 5; run++) {
      const e = await expectRejection(() => fetchPage(gnutls.port, {}));
      expect(e.message, `run ${run}: the error`).not.to.match(/EPIPE|ECONNRESET|socket/i);
      expect(isReceivedAlert(e), `run ${run}: an alert from the server, not a check of ours nor a failed write: ${e.message}`).to.equal(true);
      expect(e.alert, `run ${run}: ${e.message}`).to.equal(expected);
    }
  });
});

const KINDS: { kind: KeyKind; scheme: number; suite: number; key: string }[] = [
  { kind: "ed25519", scheme: SignatureScheme.ed25519, suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, key: "ed25519" },
  { kind: "rsa-pss", scheme: SignatureScheme.rsa_pss_pss_sha256, suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, key: "rsa" },
];

describe("06.13 peers: Ed25519 and RSA-PSS server certificates in TLS 1.2 (gnutls-serv, nginx)", function () {
  this.timeout(20000);
  const gnutls = new Map<KeyKind, GnutlsServer>();
  const nginx = new Map<KeyKind, NginxServer>();
  before(async () => {
    await Promise.all(
      KINDS.map(async ({ kind }) => {
        const files = keyedFiles(kind);
        const certificates = [{ cert: files.chain, key: files.key }];
        const [g, n] = await Promise.all([
          ifInstalled("gnutls-serv", () => startGnutlsServer({ certificates, priority: "NORMAL:-VERS-ALL:+VERS-TLS1.2" })),
          ifInstalled("nginx", () => startNginx({ certificates, protocols: "TLSv1.2", extra: "    keepalive_timeout 0;" })),
        ]);
        gnutls.set(kind, g);
        nginx.set(kind, n);
      }),
    );
  });
  after(async () => {
    await Promise.all([...gnutls.values(), ...nginx.values()].map((s) => s?.close()));
  });

  for (const { kind, scheme, suite, key } of KINDS) {
    const name = describeCode(SignatureScheme, scheme);
    it(`06.13 gnutls-serv with the ${kind} certificate: ServerKeyExchange signed ${name}, the chain through its ${kind} CA, GnuTLS's master secret`, async function () {
      skipUnlessInstalled(this, "gnutls-serv", "gnutls-bin");
      const server = gnutls.get(kind)!;
      const { conn, response, keyLog } = await fetchPage(server.port, { cipherSuites: [suite] });
      expect(response, "gnutls-serv's page").to.include("Protocol version:</TD><TD>TLS1.2");
      expect(conn.serverCertificates[0]!.publicKey.kind, "the server's key").to.equal(key);
      expect(conn.serverKeyExchange?.scheme, "the scheme of the ServerKeyExchange signature").to.equal(scheme);
      expect(conn.validation.path, "leaf, its CA, the root").to.have.length(3);
      await expectGnutlsMaster(keyLog, conn.secrets.clientRandom, server);
    });

    it(`06.13 nginx with the ${kind} certificate: ServerKeyExchange signed ${name}; nginx's records open with our master secret`, async function () {
      skipUnlessInstalled(this, "nginx", "nginx-light");
      const { conn, response, keyLog, serverRecords } = await throughRelay(nginx.get(kind)!.port, (port) => fetchPage(port, { cipherSuites: [suite] }));
      expect(response, "nginx's answer").to.match(/^HTTP\/1\.1 200 OK/).and.include("nginx: TLSv1.2");
      expect(conn.serverKeyExchange?.scheme, "the scheme of the ServerKeyExchange signature").to.equal(scheme);
      expect(conn.validation.path, "leaf, its CA, the root").to.have.length(3);
      expect(openServerData12(serverRecords, keyLog[0]!, conn.cipherSuite), "nginx's answer, opened by Node with the master secret we logged").to.include("nginx: TLSv1.2");
    });
  }
});
