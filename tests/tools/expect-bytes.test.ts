// The failure messages of tests/support/expect-bytes.ts and of the property runner, on hand-made inputs: what a
// learner reads when a test fails must name the offset, both bytes, the field there, and codes by name.
import { AssertionError, expect } from "chai";
import fc from "fast-check";
import { ByteWriter } from "../../lib/bytes.js";
import { CipherSuite, ContentType, HandshakeType, NamedGroup, ProtocolVersion } from "../../lib/constants.js";
import { NotImplemented } from "../../lib/errors.js";
import {
  annotateWith,
  expectBytes,
  expectCode,
  expectCodeIn,
  expectSame,
  fieldAt,
  showCode,
} from "../support/expect-bytes.js";
import { assertProperty, onlyTlsErrors } from "../support/properties.js";
import * as structures from "../support/structures.js";

/** The AssertionError message `fn` throws; fails if it throws nothing or something else. */
function failure(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e, "a chai AssertionError, so mocha reports a normal failure").to.be.instanceOf(AssertionError);
    return (e as Error).message;
  }
  throw new Error("expected a failure, nothing was thrown");
}

const bytes = (...b: number[]) => Uint8Array.from(b);
const range = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

/** A tiny hand-made structure: a 1-byte type, then a 2-byte-length list of 2-byte suites. */
function suitesWriter(suites: number[]): ByteWriter {
  const w = new ByteWriter();
  w.bytes(bytes(0x01), "type");
  const list = new ByteWriter();
  for (const s of suites) list.bytes(bytes(s >> 8, s & 0xff), `cipher suite 0x${s.toString(16)}`);
  w.bytes(bytes(list.length >> 8, list.length & 0xff), "cipher_suites length");
  w.append(list, "cipher_suites");
  return w;
}

describe("failure messages: expectBytes", () => {
  it("passes equal bytes, whatever their type (Buffer or Uint8Array)", () => {
    expectBytes(Buffer.from([1, 2, 3]), bytes(1, 2, 3));
    expectBytes(new Uint8Array(0), new Uint8Array(0));
  });

  it("names the first differing offset, both bytes in brackets, a few bytes around, and how many differ", () => {
    const expected = range(40);
    const actual = expected.slice();
    actual[20] = 0xff;
    actual[30] = 0xee;
    const m = failure(() => expectBytes(actual, expected, "record"));
    expect(m).to.match(/^record: bytes differ at offset 20 \(40 bytes each; 2 differ\)/);
    expect(m).to.include("expected  …0c 0d 0e 0f 10 11 12 13 [14] 15 16 17 18 19 1a 1b 1c…");
    expect(m).to.include("actual    …0c 0d 0e 0f 10 11 12 13 [ff] 15 16 17 18 19 1a 1b 1c…");
    expect(m, "no whole dump of 40 bytes").to.not.include("00 01 02");
  });

  it("says which side is shorter and that the common part agrees", () => {
    const m = failure(() => expectBytes(range(10), range(12), "vector"));
    expect(m).to.include("vector: actual is 2 bytes shorter (10 of 12); the first 10 agree");
    expect(m).to.include("expected  …02 03 04 05 06 07 08 09 [0a] 0b");
    expect(m).to.include("actual    …02 03 04 05 06 07 08 09 (end)");
    const w = new ByteWriter().bytes(bytes(0), "length (1-byte prefix)");
    const extra = failure(() => expectBytes(bytes(0, 0), w.toBytes(), "vector", { expectedAnnotations: w.annotations }));
    expect(extra).to.include("expected ends:   length (1-byte prefix) (byte 0)");
    const longer = failure(() => expectBytes(range(13), range(12)));
    expect(longer).to.include("actual has 1 extra byte after the 12 expected, which all agree");
    expect(longer).to.include("[0c]");
  });

  it("reports lengths and the first difference when both differ", () => {
    const m = failure(() => expectBytes(bytes(1, 9, 3), bytes(1, 2, 3, 4)));
    expect(m).to.include("bytes differ at offset 1 (of 4 expected, 3 actual)");
  });

  it("names the field at the offset from the expected side's annotations, and the learner's own notes", () => {
    const expected = suitesWriter([0x1301, 0x1302, 0x1303]);
    const actual = suitesWriter([0x1301, 0x1303, 0x1302]);
    const m = failure(() =>
      expectBytes(actual.toBytes(), expected.toBytes(), "hello", { expectedAnnotations: expected.annotations, annotations: actual.annotations }),
    );
    expect(m).to.include("bytes differ at offset 6");
    expect(m).to.include("field there:     cipher_suites › cipher suite 0x1302 (bytes 5–6)");
    expect(m).to.include("your notes there: cipher_suites › cipher suite 0x1303 (bytes 5–6)");
  });

  it("labels expected TLS bytes with the reference decoder (a Structure) and says where reading the actual ones stops", () => {
    // A handshake header (client_hello) with a 2-byte body: the reference reads the header, then the body fails.
    const expected = bytes(HandshakeType.finished, 0, 0, 2, 0xaa, 0xbb);
    const m = failure(() => expectBytes(bytes(HandshakeType.finished, 0, 0, 3, 0xaa, 0xbb), expected, "Finished", { structure: structures.handshakes }));
    expect(m).to.include("bytes differ at offset 3");
    expect(m).to.match(/field there: +handshake length/);
    expect(m).to.match(/reading your bytes as that structure fails: decode_error: handshake length at offset 1/);
  });

  it("shows something useful when the actual value is not bytes at all", () => {
    expect(failure(() => expectBytes(undefined, bytes(1, 2), "key"))).to.equal("key: expected 2 bytes, got undefined");
    expect(failure(() => expectBytes([1, 2], bytes(1, 2), "key"))).to.equal("key: expected 2 bytes, got [1, 2]");
  });

  it("fieldAt gives the path of notes around an offset, outermost first, with the innermost span", () => {
    const w = suitesWriter([0x1301, 0x1302]);
    expect(fieldAt(w.annotations, 0)).to.equal("type (byte 0)");
    expect(fieldAt(w.annotations, 6)).to.equal("cipher_suites › cipher suite 0x1302 (bytes 5–6)");
    expect(fieldAt(w.annotations, 99)).to.equal(undefined);
    const name = new ByteWriter().bytes(bytes(0x80, 0x61), 'host_name: "\x80a"');
    expect(fieldAt(name.annotations, 1), "non-ASCII shown as escapes").to.equal('host_name: "\\x80a" (bytes 0–1)');
  });

  it("annotateWith keeps the notes a decoder took before it threw, and the error", () => {
    const d = annotateWith(bytes(7, 1, 2), (r) => {
      r.bytes(1, "tag");
      r.bytes(5, "payload");
    });
    expect(d.annotations.map((a) => a.note)).to.deep.equal(["tag"]);
    expect(d.error).to.match(/decode_error: payload at offset 1: needs 5 byte\(s\), only 2 left/);
    expect(annotateWith(bytes(1, 2), (r) => r.bytes(1, "one")).error).to.equal("1 byte(s) left over at offset 1");
  });
});

describe("failure messages: codes", () => {
  it("prints codes in hex with their name: versions as TLS 1.x, suites, groups, one-byte codes with two digits", () => {
    expect(showCode(0x0304, ProtocolVersion)).to.equal("0x0304 (TLS 1.3)");
    expect(showCode(0x1301, CipherSuite)).to.equal("0x1301 (TLS_AES_128_GCM_SHA256)");
    expect(showCode(0x0a0a, NamedGroup)).to.equal("0x0a0a (GREASE)");
    expect(showCode(0x1234, NamedGroup)).to.equal("0x1234 (unknown)");
    expect(showCode(22, ContentType)).to.equal("0x16 (handshake)");
    expect(showCode(undefined, ContentType)).to.equal("undefined");
  });

  it("expectCode names both sides; expectCodeIn lists what was allowed", () => {
    expect(failure(() => expectCode(772, 0x0303, ProtocolVersion, "legacy_version"))).to.equal(
      "legacy_version: expected 0x0303 (TLS 1.2), got 0x0304 (TLS 1.3)",
    );
    expectCode(0x0303, 0x0303, ProtocolVersion);
    expect(failure(() => expectCodeIn(0x1302, [0x1301, 0x1303], CipherSuite, "suite"))).to.equal(
      "suite: got 0x1302 (TLS_AES_256_GCM_SHA384), expected one of 0x1301 (TLS_AES_128_GCM_SHA256), 0x1303 (TLS_CHACHA20_POLY1305_SHA256)",
    );
  });
});

describe("failure messages: expectSame", () => {
  const hello = {
    legacyVersion: 0x0303,
    random: range(32),
    cipherSuites: [0x1301, 0x1303, 0x1302],
    extensions: [{ kind: "key_share", shares: [{ group: 0x001d, keyExchange: range(32, 100) }] }],
  };

  it("passes deeply equal values with bytes inside", () => {
    expectSame(structuredClone(hello), hello);
  });

  it("names the path to the first difference, with the byte report there", () => {
    const other = structuredClone(hello);
    other.extensions[0]!.shares[0]!.keyExchange[5] = 0;
    const m = failure(() => expectSame(other, hello, "ClientHello"));
    expect(m).to.match(/^ClientHello: extensions\[0\]\.shares\[0\]\.keyExchange: bytes differ at offset 5 \(32 bytes each; 1 differs\)/);
    expect(m).to.include("[69]");
  });

  it("names codes in lists by the property's name, and says when a list is shorter", () => {
    const m = failure(() => expectSame({ ...hello, legacyVersion: 0x0304 }, hello, "ClientHello"));
    expect(m).to.equal("ClientHello: legacyVersion: expected 0x0303 (TLS 1.2), got 0x0304 (TLS 1.3)");
    const short = failure(() => expectSame({ ...hello, cipherSuites: [0x1301, 0x1303] }, hello));
    expect(short).to.include("cipherSuites: expected 3 items, got 2");
    expect(short).to.include("expected [0x1301 (TLS_AES_128_GCM_SHA256), 0x1303 (TLS_CHACHA20_POLY1305_SHA256), 0x1302 (TLS_AES_256_GCM_SHA384)]");
  });

  it("says which key is missing or unexpected, and shows whole values, never `[ …(4) ]`", () => {
    const { random: _, ...noRandom } = hello;
    expect(failure(() => expectSame(noRandom, hello))).to.match(/^value: random: missing \(expected <32 bytes: 00 01 02/);
    expect(failure(() => expectSame({ ...hello, extra: 1 }, hello))).to.equal("value: extra: not expected (got 1)");
    const long = Array.from({ length: 30 }, (_, i) => i);
    const m = failure(() => expectSame([...long, 1], long, "list"));
    expect(m).to.include("26, 27, 28, 29, 1]");
    expect(m).to.not.include("…(");
  });

  it("leaves chai's own messages untruncated too", () => {
    const m = failure(() => expect(Array.from({ length: 30 }, (_, i) => i)).to.deep.equal([1]));
    expect(m).to.include("29 ]");
  });
});

describe("failure messages: property tests", () => {
  it("print what the property demands, the failing assertion's message and the counterexample decoded", () => {
    const m = failure(() =>
      assertProperty(
        fc.property(fc.string({ minLength: 1, maxLength: 4, unit: "binary" }), (s) => {
          expect(/^[\x21-\x7e]+$/.test(s), `host name ${JSON.stringify(s)} is printable ASCII`).to.equal(true);
        }),
        { demands: "every host name is printable ASCII", numRuns: 200 },
      ),
    );
    expect(m).to.match(/^property failed on input \d+ of 200/);
    expect(m).to.include("it demands: every host name is printable ASCII");
    expect(m).to.match(/what failed:\n {4}host name .* is printable ASCII: expected false to equal true/);
    expect(m).to.match(/the input:\n {4}".*" \(1 character, not all printable ASCII: [0-9a-f]+\)/);
    expect(m).to.not.include("verbose");
  });

  it("show a byte counterexample as hex and as the reference decoder reads it", () => {
    const m = failure(() =>
      onlyTlsErrors(
        (b) => {
          if (b.length > 6 && b[0] === 22) throw new RangeError("offset is out of bounds");
          return b.length;
        },
        fc.constant(Uint8Array.of(22, 3, 3, 0, 2, HandshakeType.finished, 0)),
        { explain: structures.records, numRuns: 5 },
      ),
    );
    expect(m).to.include("it demands: every input either decodes or fails with a TlsError (decode_error) naming the field");
    expect(m).to.include("the decoder threw RangeError: offset is out of bounds; it must throw only a TlsError");
    expect(m).to.include("<7 bytes: 16030300021400>");
    expect(m).to.match(/16 +content type: handshake/);
    expect(m).to.match(/the reference decoder stops there: decode_error/);
  });

  it("let an unfinished exercise fail as itself, and accept a plain run count as before", () => {
    try {
      assertProperty(fc.property(fc.nat(), () => {
        throw new NotImplemented("00.1");
      }), 10);
      expect.fail("must throw");
    } catch (e) {
      expect(e).to.be.instanceOf(NotImplemented);
    }
  });
});
