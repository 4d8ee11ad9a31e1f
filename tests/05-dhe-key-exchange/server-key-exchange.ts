// Exercises 05.1 (the params) and 05.2 (the ServerKeyExchange message), the codec for DHE and ECDHE, graded against
// outside references only: the ServerKeyExchange of the illustrated TLS 1.2 connection (tls12.xargs.org), whose point
// is the server's published ephemeral key and whose signature Node's crypto verifies over the bytes we call
// paramsBytes; and byte layouts written out here from the structs of RFC 5246 §7.4.3 / §4.7 and RFC 8422 §5.4. Live
// servers' messages are decoded in live.ts.
import { expect } from "chai";
import crypto from "node:crypto";
import fc from "fast-check";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription, NamedGroup, SignatureScheme } from "../../lib/constants.js";
import {
  type ServerKeyExchange,
  decodeServerKeyExchange,
  encodeServerKeyExchange,
  readServerDhParams,
  readServerEcdhParams,
  readServerKeyExchange,
  writeServerDhParams,
  writeServerEcdhParams,
  writeServerKeyExchange,
} from "../../chapters/05-dhe-key-exchange/index.js";
import { NUM_RUNS, assertProperty, badInputs, decodeOrTlsError, expectTlsError, onlyTlsErrors, truncations } from "../support/properties.js";
import {
  cat,
  hex,
  illustrated,
  nodeGroup,
  refDhParams,
  refEcdhParams,
  refHandshake,
  refServerKeyExchange,
  u16,
  unhex,
} from "./vectors.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";
import { serverKeyExchange } from "../support/structures-kx.js";

const HANDSHAKE_HEADER = 4;
const decodeAlerts = [AlertDescription.decode_error, AlertDescription.illegal_parameter, AlertDescription.unexpected_message];

// ---------------------------------------------------------------------------------------------------------------
// Arbitrary messages

const value = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max });
const scheme = fc.integer({ min: 0, max: 0xffff });
const signature = fc.uint8Array({ maxLength: 300 });

const dheCase = fc.record({ p: value(300), g: value(8), ys: value(300), scheme, signature });
const ecdheCase = fc.record({ namedCurve: fc.integer({ min: 0, max: 0xffff }), point: value(255), scheme, signature });

type DheCase = { p: Uint8Array; g: Uint8Array; ys: Uint8Array; scheme: number; signature: Uint8Array };
type EcdheCase = { namedCurve: number; point: Uint8Array; scheme: number; signature: Uint8Array };

const dheMessage = (c: DheCase) => refServerKeyExchange(refDhParams(c.p, c.g, c.ys), c.scheme, c.signature);
const ecdheMessage = (c: EcdheCase) => refServerKeyExchange(refEcdhParams(c.namedCurve, c.point), c.scheme, c.signature);
const dheSke = (c: DheCase): ServerKeyExchange => ({
  kind: "dhe",
  params: { p: c.p, g: c.g, ys: c.ys },
  paramsBytes: refDhParams(c.p, c.g, c.ys),
  scheme: c.scheme,
  signature: c.signature,
});
const ecdheSke = (c: EcdheCase): ServerKeyExchange => ({
  kind: "ecdhe",
  params: { curveType: 3, namedCurve: c.namedCurve, point: c.point },
  paramsBytes: refEcdhParams(c.namedCurve, c.point),
  scheme: c.scheme,
  signature: c.signature,
});

/** Plain values for deep comparison (a Buffer and a Uint8Array with the same bytes compare equal this way). */
const plain = (ske: ServerKeyExchange) => JSON.parse(JSON.stringify(ske, (_k, v) => (v instanceof Uint8Array ? hex(v) : v)));

/** Seeds for the mutation fuzzer: the illustrated message, and a DHE one with a real 2048-bit group. */
function seeds(): Uint8Array[] {
  const modp14 = nodeGroup("modp14");
  const dh = crypto.createDiffieHellman(Buffer.from(modp14.pBytes), Buffer.from(modp14.gBytes));
  const ys = new Uint8Array(dh.generateKeys());
  return [
    illustrated().serverKeyExchange,
    refServerKeyExchange(refDhParams(modp14.pBytes, modp14.gBytes, ys), SignatureScheme.rsa_pss_rsae_sha256, crypto.randomBytes(256)),
    refServerKeyExchange(refDhParams(Uint8Array.of(23), Uint8Array.of(5), Uint8Array.of(8)), 0x0401, new Uint8Array(0)),
    refServerKeyExchange(refEcdhParams(NamedGroup.secp256r1, crypto.randomBytes(65)), SignatureScheme.ecdsa_secp256r1_sha256, crypto.randomBytes(71)),
  ];
}

describe("05.1 ServerDHParams and ServerECDHParams", function () {
  const read = <T>(bytes: Uint8Array, f: (r: ByteReader) => T) => {
    const r = new ByteReader(bytes);
    const v = f(r);
    expect(r.offset, "all of the params read").to.equal(bytes.length);
    return v;
  };

  it("05.1 the illustrated ServerECDHParams: named_curve, x25519, the server's published key; written back byte for byte", function () {
    const il = illustrated();
    const bytes = il.serverKeyExchange.subarray(HANDSHAKE_HEADER, HANDSHAKE_HEADER + 36);
    const params = read(bytes, readServerEcdhParams);
    expectSame(params, { curveType: 3, namedCurve: NamedGroup.x25519, point: il.serverPublic }, "ServerECDHParams", { codes: { namedCurve: NamedGroup } });
    const w = new ByteWriter();
    writeServerEcdhParams(w, params);
    expectBytes(w.toBytes(), bytes, "ServerECDHParams, written", { annotations: w.annotations });
  });

  it(`05.1 ${NUM_RUNS} random DH and ECDH params: written as the RFC structs spell them (RFC 5246 §7.4.3, RFC 8422 §5.4) and read back`, function () {
    assertProperty(
      fc.property(dheCase, ecdheCase, (d, e) => {
        const dh = new ByteWriter();
        writeServerDhParams(dh, { p: d.p, g: d.g, ys: d.ys });
        expectBytes(dh.toBytes(), refDhParams(d.p, d.g, d.ys), "ServerDHParams", { annotations: dh.annotations });
        expectSame(read(refDhParams(d.p, d.g, d.ys), readServerDhParams), { p: d.p, g: d.g, ys: d.ys }, "ServerDHParams, read");
        const ec = new ByteWriter();
        writeServerEcdhParams(ec, { curveType: 3, namedCurve: e.namedCurve, point: e.point });
        expectBytes(ec.toBytes(), refEcdhParams(e.namedCurve, e.point), "ServerECDHParams", { annotations: ec.annotations });
        expectSame(read(refEcdhParams(e.namedCurve, e.point), readServerEcdhParams), { curveType: 3, namedCurve: e.namedCurve, point: e.point }, "ServerECDHParams, read");
      }),
      { demands: "DH and ECDH params are written field by field as their structs spell them, and read back unchanged", inputs: ["DH fields", "ECDH fields"] },
    );
  });

  it("05.1 an empty dh_p, dh_g, dh_Ys or point is decode_error at its length's offset; a curve_type but named_curve (3) is illegal_parameter", function () {
    const x = Uint8Array.of(7);
    const none = new Uint8Array(0);
    for (const [field, bytes, at] of [["dh_p", refDhParams(none, x, x), 0], ["dh_g", refDhParams(x, none, x), 3], ["dh_Ys", refDhParams(x, x, none), 6]] as const) {
      expectTlsError(() => readServerDhParams(new ByteReader(bytes)), { alert: AlertDescription.decode_error, field, offset: at });
    }
    expectTlsError(() => readServerEcdhParams(new ByteReader(cat([3], u16(NamedGroup.x25519), [0]))), { alert: AlertDescription.decode_error, field: "point", offset: 3 });
    expectTlsError(() => readServerEcdhParams(new ByteReader(cat([1], u16(NamedGroup.x25519), [1, 9]))), { alert: AlertDescription.illegal_parameter, field: "curve_type", offset: 0 });
  });
});

describe("05.2 ServerKeyExchange", function () {
  it("05.2 decodes the illustrated TLS 1.2 ServerKeyExchange: x25519, the server's published key, a signature Node verifies", function () {
    const il = illustrated();
    const ske = decodeServerKeyExchange(il.serverKeyExchange, "ecdhe");
    expect(ske.kind).to.equal("ecdhe");
    if (ske.kind !== "ecdhe") return;
    expect(ske.params.curveType, "curve_type").to.equal(3);
    expectCode(ske.params.namedCurve, NamedGroup.x25519, NamedGroup, "namedcurve");
    expectBytes(ske.params.point, il.serverPublic, "the point is the server's ephemeral public key (values.json)");
    // ServerECDHParams are 1 + 2 + 1 + 32 bytes right after the handshake header.
    expectBytes(ske.paramsBytes, il.serverKeyExchange.subarray(HANDSHAKE_HEADER, HANDSHAKE_HEADER + 36), "paramsBytes: the signed params as they came");
    // Node (OpenSSL) checks the signature over client_random + server_random + paramsBytes as RSA PKCS #1 v1.5
    // with SHA-256, which is what rsa_pkcs1_sha256 (0x0401) names: so scheme, signature and paramsBytes are right.
    expectCode(ske.scheme, SignatureScheme.rsa_pkcs1_sha256, SignatureScheme, "signature algorithm");
    const signed = cat(il.clientRandom, il.serverRandom, ske.paramsBytes);
    expect(crypto.verify("sha256", signed, il.leaf.publicKey, Buffer.from(ske.signature)), "Node's verdict on the signature").to.equal(true);
  });

  it("05.2 encodes the illustrated ServerKeyExchange back to the same bytes", function () {
    const il = illustrated();
    const ske = decodeServerKeyExchange(il.serverKeyExchange, "ecdhe");
    expectBytes(encodeServerKeyExchange(ske), il.serverKeyExchange, "ServerKeyExchange", { structure: serverKeyExchange("ecdhe") });
  });

  it(`05.2 DHE: encodes ${NUM_RUNS} random messages as the RFC 5246 §7.4.3 struct spells them, and decodes them back`, function () {
    assertProperty(
      fc.property(dheCase, (c) => {
        const expected = dheMessage(c);
        expectBytes(encodeServerKeyExchange(dheSke(c)), expected, "ServerKeyExchange (DHE)", { structure: serverKeyExchange("dhe") });
        expectSame(plain(decodeServerKeyExchange(expected, "dhe")), plain(dheSke(c)), "decoded ServerKeyExchange");
      }),
      { demands: "every DHE ServerKeyExchange is written field by field as RFC 5246 §7.4.3 spells it, and read back unchanged", inputs: ["message fields"] },
    );
  });

  it(`05.2 ECDHE: encodes ${NUM_RUNS} random messages as the RFC 8422 §5.4 struct spells them, and decodes them back`, function () {
    assertProperty(
      fc.property(ecdheCase, (c) => {
        const expected = ecdheMessage(c);
        expectBytes(encodeServerKeyExchange(ecdheSke(c)), expected, "ServerKeyExchange (ECDHE)", { structure: serverKeyExchange("ecdhe") });
        expectSame(plain(decodeServerKeyExchange(expected, "ecdhe")), plain(ecdheSke(c)), "decoded ServerKeyExchange", { codes: { namedCurve: NamedGroup } });
      }),
      { demands: "every ECDHE ServerKeyExchange is written field by field as RFC 8422 §5.4 spells it, and read back unchanged", inputs: ["message fields"] },
    );
  });

  it("05.2 keeps paramsBytes exactly as they came, leading zero bytes of p and Ys included", function () {
    const p = cat([0, 0], crypto.randomBytes(30));
    const ys = cat([0], crypto.randomBytes(31));
    const params = refDhParams(p, Uint8Array.of(2), ys);
    const ske = decodeServerKeyExchange(refServerKeyExchange(params, 0x0804, crypto.randomBytes(64)), "dhe");
    expectBytes(ske.paramsBytes, params, "paramsBytes");
    if (ske.kind === "dhe") {
      expectBytes(ske.params.p, p, "dh_p");
      expectBytes(ske.params.ys, ys, "dh_Ys");
    }
  });

  it("05.2 reads from a reader in the middle of a larger input, with absolute offsets, and leaves what follows", function () {
    const body = cat(refEcdhParams(NamedGroup.x25519, crypto.randomBytes(32)), u16(0x0804), u16(3), [1, 2, 3]);
    const input = cat([0xaa, 0xbb], body, [0xcc]);
    const r = new ByteReader(input, { start: 2 });
    const ske = readServerKeyExchange(r, "ecdhe");
    expect(r.offset, "offset after the message").to.equal(2 + body.length);
    expectBytes(ske.paramsBytes, body.subarray(0, 36), "paramsBytes");
    expectBytes(ske.signature, fromHex("010203"), "signature");
    const w = new ByteWriter();
    writeServerKeyExchange(w, ske);
    expectBytes(w.toBytes(), body, "the body written again", { annotations: w.annotations });
  });

  it("05.2 refuses an empty dh_p, dh_g or dh_Ys (<1..2^16-1>) with decode_error at that length's offset", function () {
    const x = Uint8Array.of(7);
    const none = new Uint8Array(0);
    const cases: [string, Uint8Array, number][] = [
      ["dh_p", refDhParams(none, x, x), 0],
      ["dh_g", refDhParams(x, none, x), 3],
      ["dh_Ys", refDhParams(x, x, none), 6],
    ];
    for (const [field, params, at] of cases) {
      const message = refServerKeyExchange(params, 0x0401, x);
      expectTlsError(() => decodeServerKeyExchange(message, "dhe"), { alert: AlertDescription.decode_error, field, offset: HANDSHAKE_HEADER + at });
    }
  });

  it("05.2 refuses an empty ECDH point with decode_error, and every curve_type but named_curve (3) with illegal_parameter", function () {
    const empty = refServerKeyExchange(cat([3], u16(NamedGroup.x25519), [0]), 0x0401, Uint8Array.of(1));
    expectTlsError(() => decodeServerKeyExchange(empty, "ecdhe"), { alert: AlertDescription.decode_error, field: "point", offset: HANDSHAKE_HEADER + 3 });
    for (const curveType of [0, 1, 2, 4, 248, 255]) {
      const message = refServerKeyExchange(cat([curveType], u16(NamedGroup.x25519), [1, 9]), 0x0401, Uint8Array.of(1));
      expectTlsError(() => decodeServerKeyExchange(message, "ecdhe"), {
        alert: AlertDescription.illegal_parameter,
        field: "curve_type",
        offset: HANDSHAKE_HEADER,
      });
    }
  });

  it("05.2 a message cut at any offset is a decode_error; so are trailing bytes", function () {
    for (const [message, kind] of [
      [illustrated().serverKeyExchange, "ecdhe"],
      [seeds()[1]!, "dhe"],
    ] as const) {
      for (const cut of truncations(message)) {
        const result = decodeOrTlsError((m) => decodeServerKeyExchange(m, kind), cut);
        expect(result.ok, `a ${kind} message cut to ${cut.length} bytes`).to.equal(false);
      }
      // A longer handshake length with bytes behind the signature: the body has trailing bytes.
      const body = message.subarray(HANDSHAKE_HEADER);
      const longer = refHandshake(12, cat(body, [0]));
      expectTlsError(() => decodeServerKeyExchange(longer, kind), { alert: AlertDescription.decode_error, offset: message.length });
    }
  });

  it("05.2 the same body under another handshake type is unexpected_message", function () {
    const message = illustrated().serverKeyExchange;
    decodeServerKeyExchange(message, "ecdhe"); // as type 12 it decodes
    const body = message.subarray(HANDSHAKE_HEADER);
    expectTlsError(() => decodeServerKeyExchange(refHandshake(11, body), "ecdhe"), { alert: AlertDescription.unexpected_message, offset: 0 });
  });

  it("05.2 the writer refuses what it cannot write (empty values, an explicit curve, params that are not paramsBytes) with internal_error", function () {
    const base = dheSke({ p: Uint8Array.of(23), g: Uint8Array.of(5), ys: Uint8Array.of(8), scheme: 0x0401, signature: Uint8Array.of(1) });
    const internal = { alert: AlertDescription.internal_error };
    if (base.kind !== "dhe") return;
    for (const field of ["p", "g", "ys"] as const) {
      const params = { ...base.params, [field]: new Uint8Array(0) };
      expectTlsError(() => encodeServerKeyExchange({ ...base, params }), internal);
    }
    expectTlsError(() => encodeServerKeyExchange({ ...base, paramsBytes: refDhParams(Uint8Array.of(23), Uint8Array.of(5), Uint8Array.of(9)) }), internal);
    const ec = ecdheSke({ namedCurve: NamedGroup.x25519, point: Uint8Array.of(9), scheme: 0x0401, signature: Uint8Array.of(1) });
    if (ec.kind !== "ecdhe") return;
    expectTlsError(() => encodeServerKeyExchange({ ...ec, params: { ...ec.params, curveType: 1 }, paramsBytes: cat([1], ec.paramsBytes.subarray(1)) }), internal);
    expectTlsError(() => encodeServerKeyExchange({ ...ec, params: { ...ec.params, point: new Uint8Array(0) }, paramsBytes: refEcdhParams(NamedGroup.x25519, new Uint8Array(0)) }), internal);
  });

  for (const kind of ["dhe", "ecdhe"] as const) {
    it(`05.2 ${kind}: ${NUM_RUNS} random inputs and mutations of real messages give a message or a TlsError, and a message re-encodes to the same bytes`, function () {
      onlyTlsErrors((m) => decodeServerKeyExchange(m, kind), badInputs(seeds(), 80), {
        alerts: decodeAlerts,
        demands: "a message it accepts is encoded again to the same bytes",
        explain: serverKeyExchange(kind),
        also: (ske, input) => expectBytes(encodeServerKeyExchange(ske), input, "the decoded message, encoded again", { structure: serverKeyExchange(kind) }),
      });
    });
  }

  it("05.2 the decoder's notes cover every byte of the message", function () {
    const message = unhex(hex(illustrated().serverKeyExchange));
    const r = new ByteReader(message, { start: HANDSHAKE_HEADER });
    readServerKeyExchange(r, "ecdhe");
    const covered = new Uint8Array(message.length);
    for (const a of r.annotations) if (!a.group) covered.fill(1, a.offset, a.offset + a.length);
    expect(Array.from(covered.subarray(HANDSHAKE_HEADER)).every((c) => c === 1), "every body byte has a note").to.equal(true);
  });
});
