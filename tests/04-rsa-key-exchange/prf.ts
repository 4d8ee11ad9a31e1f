// Exercises 04.6–04.8, the TLS 1.2 PRF, the master secret and the key block, against outside references only:
// the IETF TLS WG PRF vectors and NIST's ACVP master-secret / key-block cases (tests/vectors/tls12_prf_vectors.json),
// OpenSSL's own TLS 1.2 PRF (`openssl kdf TLS1-PRF`), and the recorded connection of tls12.xargs.org
// (tests/vectors/illustrated-tls12: the page's values, its key log and its key block). See tests/vectors/SOURCES.md.
import { expect } from "chai";
import { ByteWriter, type Annotation } from "../../lib/bytes.js";
import { AlertDescription, CipherSuite } from "../../lib/constants.js";
import type { HashName } from "../../chapters/03-certificates/index.js";
import {
  type KeyBlock,
  type KeyBlockParams,
  extendedMasterSecret,
  keyBlock,
  keyBlockParams,
  masterSecret,
  pHash,
  prf,
  prfHash,
} from "../../chapters/04-rsa-key-exchange/index.js";
import { expectTlsError } from "../support/properties.js";
import { hex, opensslTlsPrf, seededRandom, unhex, vectorFile } from "./oracles.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

// ---------------------------------------------------------------------------------------------------------------
// The vector file

interface PrfVector {
  hash: string;
  secret: string;
  label: string;
  labelHex: string;
  seed: string;
  outputLength: number;
  output: string;
}
interface AcvpCase {
  tcId: number;
  preMasterSecret: string;
  clientHelloRandom: string;
  serverHelloRandom: string;
  clientRandom: string;
  serverRandom: string;
  masterSecret: string;
  keyBlock: string;
}
interface AcvpGroup {
  tgId: number;
  hashAlg: string;
  tlsVersion: string;
  keyBlockLength: number;
  preMasterSecretLength: number;
  tests: AcvpCase[];
}
interface VectorFile {
  prf: { vectors: PrfVector[] };
  keyDerivation: { groups: AcvpGroup[] };
}

const vectors = JSON.parse(vectorFile("tls12_prf_vectors.json").toString("utf8")) as VectorFile;

/** Our hash names for the file's ("SHA-256" in the PRF part, "SHA2-256" in ACVP's). SHA-224 has none: skipped. */
function hashName(name: string): HashName | undefined {
  const plain = name.replace(/^SHA2-/, "SHA-");
  return plain === "SHA-256" || plain === "SHA-384" || plain === "SHA-512" ? plain : undefined;
}

/**
 * ACVP's TLS 1.2 cases (kdf-components "tls" revision 1.0, SP 800-135): every case is a plain master secret from
 * clientHelloRandom + serverHelloRandom, then a key block from serverRandom + clientRandom (a second pair of
 * randoms, as ACVP tests the two steps independently). There is no extended-master-secret case in this file:
 * RFC 7627's master secret is checked live against Node's and OpenSSL's servers (live.ts).
 */
const acvpCases = vectors.keyDerivation.groups.flatMap((g) => {
  expect(g.tlsVersion).to.equal("v1.2");
  const hash = hashName(g.hashAlg);
  if (hash === undefined) throw new Error(`unexpected ACVP hash ${g.hashAlg}`);
  return g.tests.map((t) => ({ hash, keyBlockBytes: g.keyBlockLength / 8, ...t }));
});

// ---------------------------------------------------------------------------------------------------------------
// The recorded connection (tls12.xargs.org)

interface IllustratedValues {
  cipherSuite: string;
  statedOnPage: { pre_master_secret: string; master_secret: string };
  keylog: { label: string; client_random: string; secret: string }[];
}
const illustrated = JSON.parse(vectorFile("illustrated-tls12/values.json").toString("utf8")) as IllustratedValues;
const illustratedKeys = JSON.parse(vectorFile("illustrated-tls12/key-expansion.json").toString("utf8")) as Record<string, string>;
const illustratedKeylog = vectorFile("illustrated-tls12/keylog.txt").toString("utf8");

/** The random of a captured hello: record header (5) + handshake header (4) + version (2), then 32 bytes. */
const helloRandom = (file: string): Uint8Array => new Uint8Array(vectorFile(`illustrated-tls12/caps/${file}`).subarray(11, 43));
const clientRandom = helloRandom("clienthello");
const serverRandom = helloRandom("serverhello");
/** 0xc013: the suite the recording used (its ServerHello says so at offset 44). */
const TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xc013;

// ---------------------------------------------------------------------------------------------------------------

describe("04.6 the TLS 1.2 PRF", () => {
  it("04.6 prf gives the IETF TLS WG outputs for SHA-256, SHA-384 and SHA-512 (SHA-224 is not a TLS 1.2 PRF hash here)", () => {
    let checked = 0;
    for (const v of vectors.prf.vectors) {
      const hash = hashName(v.hash);
      if (hash === undefined) continue; // SHA-224: no HashName for it, and no TLS 1.2 suite uses it
      expectBytes(new TextEncoder().encode(v.label), fromHex(v.labelHex), "test data: the label's bytes");
      const out = prf(hash, unhex(v.secret), v.label, unhex(v.seed), v.outputLength);
      expectBytes(out, fromHex(v.output.toLowerCase()), `${v.hash}, ${v.outputLength} bytes`);
      checked++;
    }
    expect(checked).to.equal(3);
  });

  it("04.6 pHash with the label in front of the seed gives the same outputs: PRF(secret, label, seed) = P_hash(secret, label + seed)", () => {
    for (const v of vectors.prf.vectors) {
      const hash = hashName(v.hash);
      if (hash === undefined) continue;
      const out = pHash(hash, unhex(v.secret), unhex(v.labelHex + v.seed), v.outputLength);
      expectBytes(out, fromHex(v.output.toLowerCase()), v.hash);
    }
  });

  it("04.6 equals `openssl kdf TLS1-PRF` for random secrets, seeds and every kind of length (0 … 200 bytes)", () => {
    const random = seededRandom("04.6 openssl");
    const hashes: HashName[] = ["SHA-256", "SHA-384", "SHA-512"];
    // Lengths around the hash sizes: one block, one byte more or less, several blocks, odd sizes.
    const lengths = [1, 12, 31, 32, 33, 47, 48, 49, 64, 65, 104, 128, 200];
    let i = 0;
    for (const hash of hashes) {
      for (const length of lengths.filter((_, j) => (j + i) % 2 === 0)) {
        const secret = random(1 + (i * 7) % 100);
        const seed = random(1 + (i * 13) % 90);
        i++;
        expectBytes(pHash(hash, secret, seed, length), opensslTlsPrf(hash, secret, seed, length), `${hash}, ${length} bytes`);
      }
    }
    expect(pHash("SHA-256", random(16), random(16), 0).length, "0 bytes asked, 0 given").to.equal(0);
  });

  it("04.6 a length that is negative or not an integer is our own bug: internal_error", () => {
    expectTlsError(() => pHash("SHA-256", new Uint8Array(16), new Uint8Array(16), -1), { alert: AlertDescription.internal_error });
    expectTlsError(() => prf("SHA-256", new Uint8Array(16), "test label", new Uint8Array(16), 1.5), { alert: AlertDescription.internal_error });
  });
});

describe("04.7 the master secret", () => {
  it("04.7 masterSecret gives NIST ACVP's master secrets (SHA-256 tcId 21–23, SHA-384 tcId 51–52)", () => {
    for (const c of acvpCases) {
      const ms = masterSecret(c.hash, unhex(c.preMasterSecret), unhex(c.clientHelloRandom), unhex(c.serverHelloRandom));
      expectBytes(ms, fromHex(c.masterSecret.toLowerCase()), `tcId ${c.tcId}`);
    }
    expect(acvpCases.length).to.equal(5);
  });

  it("04.7 the recorded connection (tls12.xargs.org): its premaster gives the master secret on the page and in its key log", () => {
    const ms = masterSecret(prfHash(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA), unhex(illustrated.statedOnPage.pre_master_secret), clientRandom, serverRandom);
    expectBytes(ms, fromHex(illustrated.statedOnPage.master_secret), "the page's master secret");
    // The NSS key log line: CLIENT_RANDOM <client random> <master secret>
    const [label, random, secret] = illustratedKeylog.trim().split(/\s+/);
    expect(label).to.equal("CLIENT_RANDOM");
    expect(random).to.equal(hex(clientRandom));
    expectBytes(ms, fromHex(secret), "captures/keylog.txt");
  });

  it("04.7 masterSecret and extendedMasterSecret equal OpenSSL's PRF with the RFCs' labels and seeds (RFC 5246 §8.1, RFC 7627 §4)", () => {
    const random = seededRandom("04.7 openssl");
    const ascii = (s: string) => new TextEncoder().encode(s);
    for (const hash of ["SHA-256", "SHA-384"] as const) {
      const premaster = random(48);
      const cr = random(32);
      const sr = random(32);
      const expected = opensslTlsPrf(hash, premaster, Uint8Array.from([...ascii("master secret"), ...cr, ...sr]), 48);
      expectBytes(masterSecret(hash, premaster, cr, sr), expected, hash);
      const sessionHash = random(hash === "SHA-256" ? 32 : 48);
      const extended = opensslTlsPrf(hash, premaster, Uint8Array.from([...ascii("extended master secret"), ...sessionHash]), 48);
      expectBytes(extendedMasterSecret(hash, premaster, sessionHash), extended, `${hash}, extended`);
    }
  });

  it("04.7 randoms that are not 32 bytes, or a session hash of another hash's size, are internal_error", () => {
    const pm = new Uint8Array(48);
    const r32 = new Uint8Array(32);
    expectTlsError(() => masterSecret("SHA-256", pm, new Uint8Array(31), r32), { alert: AlertDescription.internal_error });
    expectTlsError(() => masterSecret("SHA-256", pm, r32, new Uint8Array(33)), { alert: AlertDescription.internal_error });
    expectTlsError(() => extendedMasterSecret("SHA-256", pm, new Uint8Array(48)), { alert: AlertDescription.internal_error });
    expectTlsError(() => extendedMasterSecret("SHA-384", pm, new Uint8Array(32)), { alert: AlertDescription.internal_error });
  });
});

describe("04.8 the key block", () => {
  const PARTS = [
    ["client_write_MAC_key", "clientMacKey", "macKeyLength"],
    ["server_write_MAC_key", "serverMacKey", "macKeyLength"],
    ["client_write_key", "clientKey", "keyLength"],
    ["server_write_key", "serverKey", "keyLength"],
    ["client_write_IV", "clientIv", "fixedIvLength"],
    ["server_write_IV", "serverIv", "fixedIvLength"],
  ] as const;
  /** The key block laid out again in RFC 5246 §6.3's order, each part noted, so a difference names its key. */
  const joined = (kb: KeyBlock): ByteWriter => {
    const w = new ByteWriter();
    for (const [name, field] of PARTS) w.bytes(kb[field], name);
    return w;
  };
  /** Compares a key block with the PRF output `expected`, naming the part (by `params`) where they differ. */
  const expectKeyBlock = (kb: KeyBlock, expected: Uint8Array, params: KeyBlockParams, what: string): void => {
    const layout: Annotation[] = [];
    for (const [name, , length] of PARTS) {
      const at = layout.length === 0 ? 0 : layout[layout.length - 1]!.offset + layout[layout.length - 1]!.length;
      layout.push({ offset: at, length: params[length], depth: 0, note: name, group: false });
    }
    const w = joined(kb);
    expectBytes(w.toBytes(), expected, what, { annotations: w.annotations, expectedAnnotations: layout });
  };

  it("04.8 keyBlock gives NIST ACVP's key blocks, cut in RFC 5246 §6.3's order (two ways of cutting 128 bytes)", () => {
    // Two made-up suites whose key blocks are exactly ACVP's 1024 bits: 2 · (32 + 16 + 16) and 2 · (20 + 32 + 12).
    const cuts: KeyBlockParams[] = [
      { macKeyLength: 32, keyLength: 16, fixedIvLength: 16 },
      { macKeyLength: 20, keyLength: 32, fixedIvLength: 12 },
    ];
    for (const c of acvpCases) {
      for (const params of cuts) {
        expect(2 * (params.macKeyLength + params.keyLength + params.fixedIvLength)).to.equal(c.keyBlockBytes);
        const kb = keyBlock(c.hash, unhex(c.masterSecret), unhex(c.clientRandom), unhex(c.serverRandom), params);
        expect(kb.clientMacKey.length).to.equal(params.macKeyLength);
        expect(kb.serverIv.length).to.equal(params.fixedIvLength);
        expectKeyBlock(kb, unhex(c.keyBlock), params, `key block, tcId ${c.tcId}`);
      }
    }
  });

  it("04.8 the recorded connection (0xc013, 20/16/16): MAC keys, write keys and IVs as the page prints them", () => {
    const params = keyBlockParams(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA);
    expectSame(params, { macKeyLength: 20, keyLength: 16, fixedIvLength: 16 }, "key block parameters");
    const kb = keyBlock(prfHash(TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA), unhex(illustrated.statedOnPage.master_secret), clientRandom, serverRandom, params);
    expectBytes(kb.clientMacKey, fromHex(illustratedKeys["client MAC key"]), "client MAC key");
    expectBytes(kb.serverMacKey, fromHex(illustratedKeys["server MAC key"]), "server MAC key");
    expectBytes(kb.clientKey, fromHex(illustratedKeys["client write key"]), "client write key");
    expectBytes(kb.serverKey, fromHex(illustratedKeys["server write key"]), "server write key");
    expectBytes(kb.clientIv, fromHex(illustratedKeys["client write IV"]), "client write IV");
    expectBytes(kb.serverIv, fromHex(illustratedKeys["server write IV"]), "server write IV");
  });

  it("04.8 an AEAD suite has no MAC keys: AES-128-GCM gives 16-byte keys and 4-byte salts, all from one PRF output", () => {
    const params = keyBlockParams(CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256);
    expectSame(params, { macKeyLength: 0, keyLength: 16, fixedIvLength: 4 }, "key block parameters");
    const random = seededRandom("04.8 gcm");
    const [master, cr, sr] = [random(48), random(32), random(32)];
    const kb = keyBlock("SHA-256", master, cr, sr, params);
    const expected = opensslTlsPrf("SHA-256", master, Uint8Array.from([...new TextEncoder().encode("key expansion"), ...sr, ...cr]), 40);
    expect(kb.clientMacKey.length + kb.serverMacKey.length).to.equal(0);
    expectKeyBlock(kb, expected, params, "key block");
  });

  it("04.8 randoms that are not 32 bytes are internal_error", () => {
    const params = keyBlockParams(CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256);
    expectTlsError(() => keyBlock("SHA-256", new Uint8Array(48), new Uint8Array(32), new Uint8Array(0), params), {
      alert: AlertDescription.internal_error,
    });
  });
});
