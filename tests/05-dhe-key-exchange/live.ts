// Chapter 05 against real TLS 1.2 servers on 127.0.0.1: Node's tls and `openssl s_server`, with DHE and ECDHE
// suites (X25519 and P-256, RSA and ECDSA certificates). Our ClientHello (chapter 01) offers only the suite under
// test; we read the server's ServerKeyExchange (05.2), check its signature with the key from its Certificate
// (chapter 03) (05.3), and refuse it with one byte flipped. Then our premaster (05.4–05.6), our ClientKeyExchange
// (05.7) and chapter 04's master secret: the server's key log must show the same master secret. The harness in
// peer.ts sends the Finished that makes the server write that line (see there why one is needed).
import { expect } from "chai";
import { mkdtempSync, existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertDescription, CipherSuite, NamedGroup, ProtocolVersion, SignatureScheme } from "../../lib/constants.js";
import { type ClientHello, clientHelloRecord, encodeClientHello, makeClientHello } from "../../chapters/01-client-hello/index.js";
import { decodeServerHello } from "../../chapters/02-server-hello/index.js";
import { decodeCertificate, parseCertificate } from "../../chapters/03-certificates/index.js";
import { extendedMasterSecret, masterSecret, prfHash } from "../../chapters/04-rsa-key-exchange/index.js";
import {
  checkDhParams,
  decodeServerKeyExchange,
  dhKeyPair,
  dhPremaster,
  ecdhePremaster,
  encodeClientKeyExchangeDh,
  encodeClientKeyExchangeEcdh,
  encodeServerKeyExchange,
  identifyFfdheGroup,
  verifyServerKeyExchange,
} from "../../chapters/05-dhe-key-exchange/index.js";
import { makeKeyPair } from "../../chapters/01-client-hello/index.js";
import { fixturePath, readFixture } from "../support/fixtures.js";
import { startNodeServer, startOpenSslServer } from "../support/peers.js";
import { expectTlsError } from "../support/properties.js";
import { Tls12Probe, masterFromKeyLog, sha256, waitFor } from "./peer.js";
import { cat, hex, nodeGroup, refParamsLength } from "./vectors.js";
import { expectBytes, expectCode, expectCodeIn } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";
import { serverKeyExchange } from "../support/structures-kx.js";

const HandshakeTypeNumber = { server_hello: 2, certificate: 11, server_key_exchange: 12, server_hello_done: 14 };

/** A running server, and how to read the master secret it logged for a client random. */
interface Peer {
  port: number;
  masterFor(clientRandom: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

interface Config {
  name: string;
  kind: "dhe" | "ecdhe";
  suite: number;
  /** supported_groups we offer. An ECDSA certificate's curve must be among them (RFC 8422 §5.1). */
  groups: number[];
  /** signature_algorithms we offer: the server has to use one of these. */
  schemes: number[];
  /** Offer extended_master_secret (RFC 7627)? */
  ems: boolean;
  /** What the server must pick: the ECDHE curve, and (when we offer one only) the scheme. */
  curve?: number;
  start(): Promise<Peer>;
}

async function nodePeer(options: Record<string, unknown>): Promise<Peer> {
  const server = await startNodeServer({ maxVersion: "TLSv1.2", ...options });
  const lines: string[] = [];
  server.server.on("keylog", (line: Buffer) => lines.push(line.toString("latin1")));
  return {
    port: server.port,
    masterFor: (cr) => waitFor("Node's keylog event", () => masterFromKeyLog(lines.join(""), cr)),
    close: () => server.close(),
  };
}

async function opensslPeer(args: string[]): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-05-keylog-"));
  const keylog = join(dir, "keylog.txt");
  const server = await startOpenSslServer(["-tls1_2", "-keylogfile", keylog, ...args]);
  return {
    port: server.port,
    masterFor: (cr) =>
      waitFor("s_server's -keylogfile line", () => (existsSync(keylog) ? masterFromKeyLog(readFileSync(keylog, "latin1"), cr) : undefined)),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const S = SignatureScheme;
const ECDSA_FIXTURE = { key: readFixture("server-ecdsa.key"), cert: readFixture("server-ecdsa.crt") };
const ECDSA_ARGS = ["-cert", fixturePath("server-ecdsa.crt"), "-key", fixturePath("server-ecdsa.key")];
const RSA_SCHEMES = [S.rsa_pss_rsae_sha256, S.rsa_pkcs1_sha256];

const CONFIGS: Config[] = [
  {
    name: "Node tls, DHE-RSA-AES128-GCM-SHA256 (dhparam 'auto'), rsa_pkcs1_sha256, extended master secret",
    kind: "dhe",
    suite: CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.x25519],
    schemes: [S.rsa_pkcs1_sha256],
    ems: true,
    start: () => nodePeer({ ciphers: "DHE-RSA-AES128-GCM-SHA256", dhparam: "auto" }),
  },
  {
    name: "Node tls, DHE-RSA-AES128-GCM-SHA256 (dhparam 'auto'), rsa_pss_rsae_sha256, no extended master secret",
    kind: "dhe",
    suite: CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.x25519],
    schemes: [S.rsa_pss_rsae_sha256],
    ems: false,
    start: () => nodePeer({ ciphers: "DHE-RSA-AES128-GCM-SHA256", dhparam: "auto" }),
  },
  {
    name: "Node tls, ECDHE-RSA-AES128-GCM-SHA256 (ecdhCurve X25519), rsa_pss_rsae_sha384, extended master secret",
    kind: "ecdhe",
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    schemes: [S.rsa_pss_rsae_sha384],
    ems: true,
    curve: NamedGroup.x25519,
    start: () => nodePeer({ ciphers: "ECDHE-RSA-AES128-GCM-SHA256", ecdhCurve: "X25519" }),
  },
  {
    name: "Node tls, ECDHE-RSA-AES128-GCM-SHA256 (ecdhCurve P-256), rsa_pkcs1_sha512, no extended master secret",
    kind: "ecdhe",
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    schemes: [S.rsa_pkcs1_sha512],
    ems: false,
    curve: NamedGroup.secp256r1,
    start: () => nodePeer({ ciphers: "ECDHE-RSA-AES128-GCM-SHA256", ecdhCurve: "P-256" }),
  },
  {
    name: "Node tls, ECDHE-ECDSA-AES128-GCM-SHA256 (server-ecdsa, X25519), ecdsa_secp256r1_sha256, extended master secret",
    kind: "ecdhe",
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.x25519, NamedGroup.secp256r1],
    schemes: [S.ecdsa_secp256r1_sha256],
    ems: true,
    curve: NamedGroup.x25519,
    start: () => nodePeer({ ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256", ecdhCurve: "X25519", ...ECDSA_FIXTURE }),
  },
  {
    name: "openssl s_server -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 (built-in group), extended master secret",
    kind: "dhe",
    suite: CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.x25519],
    schemes: RSA_SCHEMES,
    ems: true,
    start: () => opensslPeer(["-cipher", "DHE-RSA-AES128-GCM-SHA256"]),
  },
  {
    name: "openssl s_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 (X25519), no extended master secret",
    kind: "ecdhe",
    suite: CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.x25519],
    schemes: RSA_SCHEMES,
    ems: false,
    curve: NamedGroup.x25519,
    start: () => opensslPeer(["-cipher", "ECDHE-RSA-AES128-GCM-SHA256"]),
  },
  {
    name: "openssl s_server -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 (server-ecdsa, P-256), extended master secret",
    kind: "ecdhe",
    suite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    groups: [NamedGroup.secp256r1],
    schemes: [S.ecdsa_secp256r1_sha256, S.rsa_pss_rsae_sha256],
    ems: true,
    curve: NamedGroup.secp256r1,
    start: () => opensslPeer(["-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", ...ECDSA_ARGS]),
  },
];

const flip = (b: Uint8Array, at: number): Uint8Array => {
  const copy = b.slice();
  copy[at]! ^= 0x01;
  return copy;
};

for (const config of CONFIGS) {
  describe(`live: ${config.name}`, function () {
    let peer: Peer | undefined;
    let probe: Tls12Probe | undefined;
    let clientHello: ClientHello;

    before(async function () {
      // Our ClientHello (chapter 01), offering only this suite; extended_master_secret filtered out when not wanted.
      clientHello = makeClientHello({ version: "1.2", cipherSuites: [config.suite], groups: config.groups, signatureSchemes: config.schemes }).clientHello;
      if (!config.ems) clientHello.extensions = clientHello.extensions.filter((e) => e.kind !== "extended_master_secret");
      peer = await config.start();
      probe = await Tls12Probe.open(peer.port, clientHelloRecord(clientHello).toBytes());
    });
    after(async function () {
      probe?.close();
      await peer?.close();
    });

    const ske = () => probe!.message(HandshakeTypeNumber.server_key_exchange);
    const serverRandom = () => decodeServerHello(probe!.message(HandshakeTypeNumber.server_hello)).random;
    const serverKey = () => parseCertificate(decodeCertificate(probe!.message(HandshakeTypeNumber.certificate), ProtocolVersion.TLS1_2).entries[0]!.certData).publicKey;

    it(`05.2 ${config.name}: decodes the server's ServerKeyExchange, paramsBytes as on the wire, and encodes it back`, function () {
      const message = ske();
      const decoded = decodeServerKeyExchange(message, config.kind);
      const paramsLength = refParamsLength(message.subarray(4), config.kind);
      expectBytes(decoded.paramsBytes, message.subarray(4, 4 + paramsLength), "paramsBytes", { structure: serverKeyExchange(config.kind) });
      expectCodeIn(decoded.scheme, config.schemes, SignatureScheme, "the scheme (must be one we offered)");
      if (decoded.kind === "dhe") {
        // Both servers' built-in group is RFC 3526's 2048-bit MODP group, which Node calls modp14.
        const modp14 = nodeGroup("modp14");
        expectBytes(decoded.params.p, modp14.pBytes, "p is modp14's prime");
        expectBytes(decoded.params.g, fromHex("02"), "g");
        expect(decoded.params.ys.length, "Ys").to.be.within(200, 256);
      } else {
        expectCode(decoded.params.namedCurve, config.curve!, NamedGroup, "the curve");
        expect(decoded.params.point.length, "the point").to.equal(config.curve === NamedGroup.x25519 ? 32 : 65);
      }
      expectBytes(encodeServerKeyExchange(decoded), message, "ServerKeyExchange, decoded and encoded again", { structure: serverKeyExchange(config.kind) });
    });

    it(`05.3 ${config.name}: the signature verifies with the certificate's key; a flipped bit in the params or the signature is decrypt_error`, function () {
      const message = ske();
      const key = serverKey();
      verifyServerKeyExchange(decodeServerKeyExchange(message, config.kind), clientHello.random, serverRandom(), key, config.schemes);
      const lastParamsByte = 4 + refParamsLength(message.subarray(4), config.kind) - 1; // inside Ys or the point
      for (const at of [lastParamsByte, message.length - 1, message.length - 20]) {
        const tampered = decodeServerKeyExchange(flip(message, at), config.kind);
        expectTlsError(() => verifyServerKeyExchange(tampered, clientHello.random, serverRandom(), key, config.schemes), {
          alert: AlertDescription.decrypt_error,
        });
      }
    });

    if (config.kind === "dhe") {
      it(`05.4 ${config.name}: the group is not an RFC 7919 group (identifyFfdheGroup → undefined), and checkDhParams accepts it`, function () {
        const decoded = decodeServerKeyExchange(ske(), "dhe");
        if (decoded.kind !== "dhe") return;
        const { p, g, ys } = checkDhParams(decoded.params);
        expect(identifyFfdheGroup(p, g)).to.equal(undefined);
        expect(p === nodeGroup("modp14").p && g === 2n && ys > 1n && ys < p - 1n).to.equal(true);
      });
    }

    const exercise = config.kind === "dhe" ? "05.5" : "05.6";
    it(`${exercise} ${config.name}: our premaster and ClientKeyExchange give the master secret in the server's key log`, async function () {
      const message = ske();
      const decoded = decodeServerKeyExchange(message, config.kind);
      verifyServerKeyExchange(decoded, clientHello.random, serverRandom(), serverKey(), config.schemes);
      let premaster: Uint8Array;
      let clientKeyExchange: Uint8Array;
      if (decoded.kind === "dhe") {
        const { p, g, ys } = checkDhParams(decoded.params);
        const pair = dhKeyPair(p, g);
        premaster = dhPremaster(pair.privateKey, ys, p);
        clientKeyExchange = encodeClientKeyExchangeDh(pair.publicKey);
      } else {
        const pair = makeKeyPair(decoded.params.namedCurve);
        premaster = ecdhePremaster(decoded.params.namedCurve, pair.privateKey, decoded.params.point);
        clientKeyExchange = encodeClientKeyExchangeEcdh(pair.publicKey);
      }
      const flight = probe!.messages.slice(0, probe!.messages.findIndex((m) => m[0] === HandshakeTypeNumber.server_hello_done) + 1);
      const transcript = cat(encodeClientHello(clientHello), ...flight, clientKeyExchange);
      const sh = decodeServerHello(flight[0]!);
      const ems = sh.extensions.some((e) => e.kind === "extended_master_secret");
      expect(ems, "the server negotiated extended_master_secret exactly when we offered it").to.equal(config.ems);
      const hash = prfHash(config.suite);
      // RFC 7627 §4: with extended_master_secret the seed is the session hash, ClientHello … ClientKeyExchange.
      const master = ems ? extendedMasterSecret(hash, premaster, sha256(transcript)) : masterSecret(hash, premaster, clientHello.random, sh.random);
      await probe!.finish(clientKeyExchange, master, clientHello.random, sh.random, transcript);
      const theirs = await peer!.masterFor(clientHello.random);
      expectBytes(master, theirs, "our master secret vs the server's key log");
    });
  });
}
