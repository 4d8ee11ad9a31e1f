// Exercise 04.1, the RSA premaster secret, checked against the struct of RFC 5246 §7.4.7.1 written out here:
//   struct { ProtocolVersion client_version; opaque random[46]; } PreMasterSecret;
import { expect } from "chai";
import { AlertDescription } from "../../lib/constants.js";
import { PREMASTER_LENGTH, makeRsaPremaster } from "../../chapters/04-rsa-key-exchange/index.js";
import { expectTlsError } from "../support/properties.js";
import { hex, seededRandom } from "./oracles.js";
import { expectBytes } from "../support/expect-bytes.js";
import { fromHex } from "../../lib/hex.js";

describe("04.1 the premaster secret", () => {
  it("04.1 is 03 03 (TLS 1.2) followed by the 46 bytes of ONE random(46) call (RFC 5246 §7.4.7.1)", () => {
    const calls: number[] = [];
    const source = seededRandom("04.1");
    const expectedRandom = seededRandom("04.1")(46);
    const premaster = makeRsaPremaster(undefined, (n) => {
      calls.push(n);
      return source(n);
    });
    expect(calls, "how random was called").to.deep.equal([46]);
    expect(PREMASTER_LENGTH).to.equal(48);
    expectBytes(premaster, fromHex("0303" + hex(expectedRandom)), "premaster: 03 03, then the 46 random bytes");
  });

  it("04.1 carries the ClientHello's version that it is given, e.g. 03 02 for a TLS 1.1 client", () => {
    const fixed = (n: number) => new Uint8Array(n).fill(0xab);
    expectBytes(makeRsaPremaster(0x0302, fixed), fromHex("0302" + "ab".repeat(46)), "premaster for version 0x0302");
    expectBytes(makeRsaPremaster(0x0303, fixed), fromHex("0303" + "ab".repeat(46)), "premaster for version 0x0303");
  });

  it("04.1 uses a fresh random by default: two premasters share only their version bytes", () => {
    const a = makeRsaPremaster();
    const b = makeRsaPremaster();
    expect(a.length).to.equal(48);
    expectBytes(a.subarray(0, 2), fromHex("0303"), "the premaster's version bytes");
    expect(hex(a.subarray(2))).to.not.equal(hex(b.subarray(2)));
  });

  it("04.1 a version that is not a uint16, or a source giving the wrong number of bytes, is internal_error", () => {
    const fixed = (n: number) => new Uint8Array(n);
    expectTlsError(() => makeRsaPremaster(0x10000, fixed), { alert: AlertDescription.internal_error });
    expectTlsError(() => makeRsaPremaster(-1, fixed), { alert: AlertDescription.internal_error });
    expectTlsError(() => makeRsaPremaster(0x0303, () => new Uint8Array(45)), { alert: AlertDescription.internal_error });
  });
});
