// 12.1 and 12.2: the layout of the hybrid shares and the order of the shared secret, against the draft's own text
// (sizes and orders are read from tests/vectors/drafts/, not retyped), and the property that a share of any other
// size is refused with the project's TlsError (illegal_parameter), never a RangeError.
import fc from "fast-check";
import { AlertDescription, NamedGroup } from "../../lib/constants.js";
import { concat } from "../../lib/hex.js";
import { combineSecrets, joinShare, splitShare } from "../../chapters/12-post-quantum/index.js";
import { expectBytes } from "../support/expect-bytes.js";
import { assertProperty, checkTlsError, expectTlsError } from "../support/properties.js";
import { draftCodePoint, draftSecretOrder, draftShareOrder, draftShareSize } from "./vectors.js";
import { expect } from "chai";

const GROUPS = [
  { name: "X25519MLKEM768", group: NamedGroup.X25519MLKEM768, ecdh: { client: 32, server: 32 } },
  { name: "SecP256r1MLKEM768", group: NamedGroup.SecP256r1MLKEM768, ecdh: { client: 65, server: 65 } },
];
const MLKEM = { client: 1184, server: 1088 }; // FIPS 203 Table 3: ML-KEM-768's encapsulation key and ciphertext
const SIDES = ["client", "server"] as const;

/** Bytes that say where they came from: a part filled with its own marker, counting up. */
const marked = (length: number, marker: number) => Uint8Array.from({ length }, (_, i) => (marker + i) & 0xff);

describe("12.1 the hybrid key shares (draft-ietf-tls-ecdhe-mlkem §3)", () => {
  for (const g of GROUPS) {
    for (const side of SIDES) {
      const size = draftShareSize(g.name, side);
      const order = draftShareOrder(g.name, side);
      it(`12.1 a ${g.name} ${side} share is ${size.total} bytes, ${order === "mlkem first" ? "ML-KEM part first" : "ECDH part first"}: splitShare cuts it there`, () => {
        expect(MLKEM[side] + g.ecdh[side], "the draft's total").to.equal(size.total);
        expect(g.group, `${g.name}'s code point (draft §6)`).to.equal(draftCodePoint(g.name));
        const mlkem = marked(MLKEM[side], 0x10);
        const ecdh = marked(g.ecdh[side], 0xe0);
        const share = order === "mlkem first" ? concat(mlkem, ecdh) : concat(ecdh, mlkem);
        const parts = splitShare(g.group, side, share);
        expectBytes(parts.mlkem, mlkem, `the ML-KEM part of a ${g.name} ${side} share`);
        expectBytes(parts.ecdh, ecdh, `the ECDH part of a ${g.name} ${side} share`);
      });
      it(`12.1 joinShare lays out a ${g.name} ${side} share in the draft's order`, () => {
        const mlkem = marked(MLKEM[side], 0x20);
        const ecdh = marked(g.ecdh[side], 0x90);
        const expected = order === "mlkem first" ? concat(mlkem, ecdh) : concat(ecdh, mlkem);
        expectBytes(joinShare(g.group, side, { mlkem, ecdh }), expected, `our ${g.name} ${side} share`);
      });
      it(`12.1 a ${g.name} ${side} share of any other size is illegal_parameter (one byte short, one too many, empty, the other side's size)`, () => {
        const other = MLKEM[side === "client" ? "server" : "client"] + g.ecdh[side];
        for (const length of [size.total - 1, size.total + 1, 0, other, MLKEM[side], g.ecdh[side]]) {
          const e = expectTlsError(() => splitShare(g.group, side, new Uint8Array(length)), { alert: AlertDescription.illegal_parameter, field: "key_exchange" });
          expect(e.message, `the message for a ${length}-byte share says what was expected`).to.include(String(size.total));
        }
      });
    }
    it(`12.1 joinShare refuses parts of the wrong size as our own bug (internal_error), ${g.name}`, () => {
      expectTlsError(() => joinShare(g.group, "client", { mlkem: new Uint8Array(1088), ecdh: new Uint8Array(g.ecdh.client) }), { alert: AlertDescription.internal_error });
      expectTlsError(() => joinShare(g.group, "server", { mlkem: new Uint8Array(1088), ecdh: new Uint8Array(g.ecdh.server - 1) }), { alert: AlertDescription.internal_error });
    });
  }

  it("12.1 property: splitShare of a share of any wrong size throws TlsError illegal_parameter, never RangeError/TypeError", () => {
    const arbitrary = fc.tuple(fc.constantFrom(...GROUPS), fc.constantFrom(...SIDES), fc.integer({ min: 0, max: 1400 }));
    assertProperty(
      fc.property(arbitrary, ([g, side, length]) => {
        const input = new Uint8Array(length).fill(0x5a);
        const right = MLKEM[side] + g.ecdh[side];
        try {
          const parts = splitShare(g.group, side, input);
          expect(length, `splitShare accepted a ${length}-byte ${g.name} ${side} share`).to.equal(right);
          expect(parts.mlkem.length + parts.ecdh.length).to.equal(right);
        } catch (e) {
          if (length === right) throw e;
          const error = checkTlsError(e, input, [AlertDescription.illegal_parameter, AlertDescription.decode_error]);
          expect(error.field).to.equal("key_exchange");
        }
      }),
      { numRuns: 300, demands: "a share of the right size splits; any other size fails with illegal_parameter naming key_exchange", inputs: ["(group, side, length)"] },
    );
  });
});

describe("12.2 the hybrid shared secret (draft-ietf-tls-ecdhe-mlkem §3.3)", () => {
  for (const g of GROUPS) {
    const order = draftSecretOrder(g.name);
    it(`12.2 ${g.name}: the ${order === "mlkem first" ? "ML-KEM secret, then the ECDH one" : "ECDH secret, then the ML-KEM one"}, 64 bytes`, () => {
      const mlkem = marked(32, 0x01);
      const ecdh = marked(32, 0xc0);
      const expected = order === "mlkem first" ? concat(mlkem, ecdh) : concat(ecdh, mlkem);
      expectBytes(combineSecrets(g.group, { mlkem, ecdh }), expected, `the ${g.name} shared secret`);
    });
    it(`12.2 ${g.name}: a half of the wrong size is our own bug (internal_error)`, () => {
      expectTlsError(() => combineSecrets(g.group, { mlkem: new Uint8Array(31), ecdh: new Uint8Array(32) }), { alert: AlertDescription.internal_error, field: "shared secret" });
      expectTlsError(() => combineSecrets(g.group, { mlkem: new Uint8Array(32), ecdh: new Uint8Array(65) }), { alert: AlertDescription.internal_error, field: "shared secret" });
    });
  }
});
