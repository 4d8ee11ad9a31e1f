// Exercise 05.7, the ClientKeyExchange codecs for DHE and ECDHE, graded against outside references only: the
// ClientKeyExchange of the illustrated TLS 1.2 connection (tls12.xargs.org), whose point is the client's published
// x25519 key, and byte layouts written out here from RFC 5246 §7.4.7.2 and RFC 8422 §5.7. That real servers take
// our messages is shown in live.ts.
import { expect } from "chai";
import crypto from "node:crypto";
import fc from "fast-check";
import { ByteReader, ByteWriter } from "../../lib/bytes.js";
import { AlertDescription } from "../../lib/constants.js";
import {
  decodeClientKeyExchangeDh,
  decodeClientKeyExchangeEcdh,
  encodeClientKeyExchangeDh,
  encodeClientKeyExchangeEcdh,
  readClientKeyExchangeDh,
  readClientKeyExchangeEcdh,
  writeClientKeyExchangeDh,
  writeClientKeyExchangeEcdh,
} from "../../chapters/05-dhe-key-exchange/index.js";
import { NUM_RUNS, assertProperty, badInputs, decodeOrTlsError, expectTlsError, onlyTlsErrors, outcome, truncations } from "../support/properties.js";
import { cat, hex, illustrated, refClientKeyExchangeDh, refClientKeyExchangeEcdh, refHandshake, u16 } from "./vectors.js";
import { expectBytes } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";
import { clientKeyExchange } from "../support/structures-kx.js";

const decodeAlerts = [AlertDescription.decode_error, AlertDescription.unexpected_message];

function seeds(): Uint8Array[] {
  return [
    illustrated().clientKeyExchange,
    refClientKeyExchangeEcdh(new Uint8Array(crypto.randomBytes(65))),
    refClientKeyExchangeDh(new Uint8Array(crypto.randomBytes(256))),
    refClientKeyExchangeDh(Uint8Array.of(2)),
  ];
}

describe("05.7 ClientKeyExchange for DHE and ECDHE", function () {
  it("05.7 decodes the illustrated TLS 1.2 ClientKeyExchange to the client's published x25519 key, and encodes it back", function () {
    const il = illustrated();
    const point = decodeClientKeyExchangeEcdh(il.clientKeyExchange);
    expectBytes(point, il.clientPublic, "the client's public point (values.json)");
    expectBytes(encodeClientKeyExchangeEcdh(il.clientPublic), il.clientKeyExchange, "ClientKeyExchange", { structure: clientKeyExchange("ecdhe") });
  });

  it(`05.7 DHE: ${NUM_RUNS} random dh_Yc values encode as RFC 5246 §7.4.7.2 spells them (2-byte length) and decode back`, function () {
    assertProperty(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1100 }), (yc) => {
        const expected = refClientKeyExchangeDh(yc);
        expectBytes(encodeClientKeyExchangeDh(yc), expected, "ClientKeyExchange (DHE)", { structure: clientKeyExchange("dhe") });
        expectBytes(decodeClientKeyExchangeDh(expected), yc, "dh_Yc decoded");
      }),
      { demands: "every dh_Yc is written as 16, a uint24 length, a uint16 length, dh_Yc; and read back unchanged", inputs: ["dh_Yc"] },
    );
  });

  it(`05.7 ECDHE: ${NUM_RUNS} random points encode as RFC 8422 §5.7 spells them (1-byte length) and decode back`, function () {
    assertProperty(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 255 }), (point) => {
        const expected = refClientKeyExchangeEcdh(point);
        expectBytes(encodeClientKeyExchangeEcdh(point), expected, "ClientKeyExchange (ECDHE)", { structure: clientKeyExchange("ecdhe") });
        expectBytes(decodeClientKeyExchangeEcdh(expected), point, "the point decoded");
      }),
      { demands: "every point is written as 16, a uint24 length, a uint8 length, the point; and read back unchanged", inputs: ["point"] },
    );
  });

  it("05.7 the readers work inside a larger input, with absolute offsets; the writers append to what is there", function () {
    const input = cat([9, 9, 9], u16(3), [1, 2, 3], [3, 4, 5, 6], [7]);
    const r = new ByteReader(input, { start: 3 });
    expectBytes(readClientKeyExchangeDh(r), fromHex("010203"), "dh_Yc read at offset 3");
    expect(r.offset).to.equal(8);
    expectBytes(readClientKeyExchangeEcdh(r), fromHex("040506"), "the point read at offset 8");
    expect(r.offset).to.equal(12);
    const w = new ByteWriter();
    w.bytes(Uint8Array.of(9), "before");
    writeClientKeyExchangeDh(w, Uint8Array.of(1, 2, 3));
    writeClientKeyExchangeEcdh(w, Uint8Array.of(4, 5, 6));
    expectBytes(w.toBytes(), fromHex("090003010203" + "03040506"), "a byte, then both bodies", { annotations: w.annotations });
  });

  it("05.7 an empty dh_Yc or point is decode_error at its length; our writer refuses to send one (internal_error)", function () {
    expectTlsError(() => decodeClientKeyExchangeDh(refHandshake(16, Uint8Array.of(0, 0))), { alert: AlertDescription.decode_error, field: "dh_Yc", offset: 4 });
    expectTlsError(() => decodeClientKeyExchangeEcdh(refHandshake(16, Uint8Array.of(0))), { alert: AlertDescription.decode_error, field: "point", offset: 4 });
    expectTlsError(() => encodeClientKeyExchangeDh(new Uint8Array(0)), { alert: AlertDescription.internal_error });
    expectTlsError(() => encodeClientKeyExchangeEcdh(new Uint8Array(0)), { alert: AlertDescription.internal_error });
    expectTlsError(() => encodeClientKeyExchangeEcdh(new Uint8Array(256)), { alert: AlertDescription.internal_error });
  });

  it("05.7 cut at any offset or followed by trailing bytes: decode_error; another handshake type: unexpected_message", function () {
    const dh = refClientKeyExchangeDh(new Uint8Array(crypto.randomBytes(40)));
    const ec = illustrated().clientKeyExchange;
    for (const cut of truncations(dh)) expect(outcome(decodeOrTlsError(decodeClientKeyExchangeDh, cut)), `DH cut to ${cut.length}`).to.match(/^failed/);
    for (const cut of truncations(ec)) expect(outcome(decodeOrTlsError(decodeClientKeyExchangeEcdh, cut)), `ECDH cut to ${cut.length}`).to.match(/^failed/);
    expectTlsError(() => decodeClientKeyExchangeDh(refHandshake(16, cat(dh.subarray(4), [0]))), { alert: AlertDescription.decode_error, offset: dh.length });
    expectTlsError(() => decodeClientKeyExchangeEcdh(refHandshake(16, cat(ec.subarray(4), [0]))), { alert: AlertDescription.decode_error, offset: ec.length });
    expectTlsError(() => decodeClientKeyExchangeEcdh(refHandshake(12, ec.subarray(4))), { alert: AlertDescription.unexpected_message, offset: 0 });
    expectTlsError(() => decodeClientKeyExchangeDh(refHandshake(20, dh.subarray(4))), { alert: AlertDescription.unexpected_message, offset: 0 });
  });

  for (const [kind, decode, encode, structure] of [
    ["DHE", decodeClientKeyExchangeDh, encodeClientKeyExchangeDh, clientKeyExchange("dhe")],
    ["ECDHE", decodeClientKeyExchangeEcdh, encodeClientKeyExchangeEcdh, clientKeyExchange("ecdhe")],
  ] as const) {
    it(`05.7 ${kind}: ${NUM_RUNS} random inputs and mutations of real messages give a value or a TlsError, and a value re-encodes to the input`, function () {
      onlyTlsErrors(decode, badInputs(seeds(), 300), {
        alerts: decodeAlerts,
        demands: "a message it accepts is exactly the ClientKeyExchange of the value it returns",
        explain: structure,
        also: (value, input) => expectBytes(encode(value), input, "the ClientKeyExchange of the decoded value", { structure }),
      });
    });
  }
});
