// Graded tests for chapter 00: integers, vectors, record and handshake headers, and reading them from a stream.
// Expected values come from outside the code under test: the RFC 8448 traces (parsed from the RFC text), the
// illustrated-tls13/12 recordings in tests/vectors, Node's Buffer (uint reference), and the RFC 8446 §3 rules.
// Bad input must end in a TlsError naming field and offset (fast-check, 1,000 runs per decoder).

import { readFileSync } from "node:fs";
import { expect } from "chai";
import fc from "fast-check";
import {
  nextHandshake,
  nextRecord,
  readHandshake,
  readRecord,
  readRecordHeader,
  readUint,
  readVector,
  writeHandshake,
  writeRecord,
  writeUint,
  writeVector,
  type PrefixSize,
  type UintSize,
} from "../chapters/00-bytes/index.js";
import { ByteReader, ByteWriter } from "../lib/bytes.js";
import { AlertDescription, ContentType, HandshakeType, ProtocolVersion } from "../lib/constants.js";
import { alertName } from "../lib/errors.js";
import { expectBytes, expectCode, expectCodeIn, expectSame, type Structure } from "./support/expect-bytes.js";
import { findValue, traceSection, type TraceSection } from "./support/rfc8448.js";
import { clientExtensions, clientHelloBody, handshakes, lengthPrefixed, records } from "./support/structures.js";
import {
  assertProperty,
  badInputs,
  bytewise,
  completeWithin,
  concatBytes,
  decodeOrTlsError,
  expectTlsError,
  onlyTlsErrors,
  outcome,
  randomBytes,
  receive,
  splitAt,
  truncations,
} from "./support/properties.js";

const { decode_error, internal_error, unexpected_message, record_overflow } = AlertDescription;

// ---- Outside references -------------------------------------------------------------------------------------

/** Node's own big-endian writer: the reference for writeUint. */
function nodeUint(value: number, size: number): Uint8Array {
  const b = Buffer.alloc(size);
  b.writeUIntBE(value, 0, size);
  return new Uint8Array(b);
}

/** Node's own big-endian reader. */
function nodeReadUint(bytes: Uint8Array, offset: number, size: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUIntBE(offset, size);
}

const vector = (path: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./vectors/${path}`, import.meta.url)));

/** The illustrated-tls13/12 recordings: each file is one plaintext record, header included (SOURCES.md). */
const illustrated = {
  tls13ClientHello: vector("illustrated-tls13/caps/clienthello"),
  tls13ServerHello: vector("illustrated-tls13/caps/serverhello"),
  tls12ClientHello: vector("illustrated-tls12/caps/clienthello"),
  tls12ServerHello: vector("illustrated-tls12/caps/serverhello"),
};

interface SentRecord {
  actor: "client" | "server";
  action: string;
  payload: Uint8Array;
  record: Uint8Array;
}

/** Every record an RFC 8448 trace sends ("send handshake record", "send alert record", …), in RFC order. */
function sentRecords(section: TraceSection): SentRecord[] {
  return traceSection(section)
    .filter((s) => /^send \w+ record$/.test(s.action))
    .map((s) => {
      const get = (label: string): Uint8Array => {
        const v = s.values.find((x) => x.label === label);
        if (!v) throw new Error(`RFC 8448 §${section} line ${s.line}: no "${label}"`);
        return v.bytes;
      };
      return { actor: s.actor, action: s.action, payload: get("payload"), record: get("complete record") };
    });
}

const rfc = {
  clientHello: findValue(3, "construct a ClientHello", "ClientHello"),
  serverHello: findValue(3, "construct a ServerHello", "ServerHello"),
  encryptedExtensions: findValue(3, "construct an EncryptedExtensions", "EncryptedExtensions"),
  certificate: findValue(3, "construct a Certificate handshake", "Certificate"),
  certificateVerify: findValue(3, "construct a CertificateVerify", "CertificateVerify"),
  serverFinished: findValue(3, "construct a Finished", "Finished", 0),
  clientFinished: findValue(3, "construct a Finished", "Finished", 1),
  newSessionTicket: findValue(3, "construct a NewSessionTicket", "NewSessionTicket"),
  endOfEarlyData: findValue(4, "construct an EndOfEarlyData", "EndOfEarlyData"),
  records3: sentRecords(3),
};
// In §3, records whose complete record is the payload plus a 5-byte header were sent in plaintext (ClientHello,
// ServerHello); the others are protected (RFC 8446 §5.2), their outer type is application_data.
const plaintextRecords = rfc.records3.filter((r) => r.record.length === r.payload.length + 5);
const serverFlight = rfc.records3.filter((r) => r.actor === "server");
const clientHelloRecord = rfc.records3[0]!;
const serverHelloRecord = rfc.records3.find((r) => r.actor === "server")!;
/** The server's handshake messages after ServerHello, as the RFC prints them one by one. */
const serverMessages = [rfc.encryptedExtensions, rfc.certificate, rfc.certificateVerify, rfc.serverFinished];
/** …and as it sends them: one payload holding all four (RFC 8448 §3, the 657-octet "send handshake record"). */
const serverHandshakePayload = serverFlight.filter((r) => r.action === "send handshake record")[1]!.payload;

/** RFC 8446 §5.1 layout of a record: type(1) legacy_record_version(2) length(2) fragment. */
const recordFields = (record: Uint8Array) => ({
  type: record[0]!,
  version: (record[1]! << 8) | record[2]!,
  fragment: record.slice(5),
});

const writeWith = (write: (w: ByteWriter) => void): ByteWriter => {
  const w = new ByteWriter();
  write(w);
  return w;
};
const bytesOf = (write: (w: ByteWriter) => void): Uint8Array => writeWith(write).toBytes();

/** Runs `write` on a fresh writer and compares what it wrote with `expected`, naming the field where they differ. */
function expectWritten(write: (w: ByteWriter) => void, expected: Uint8Array, what: string, structure?: Structure): void {
  const w = writeWith(write);
  expectBytes(w.toBytes(), expected, what, { annotations: w.annotations, structure });
}

/** A record's `type` is a ContentType (its `version` is named as a ProtocolVersion anyway). */
const RECORD_CODES = { type: ContentType };

const maxOf = (size: number): number => 2 ** (8 * size) - 1;
/** The edges of each integer size: 0, 1, 255, 256, 2^16−1, 2^16, 2^24−1, 2^24, 2^32−1, where they fit. */
const edges = (size: number): number[] =>
  [0, 1, 255, 256, 0xffff, 0x10000, 0xffffff, 0x1000000, 0xffffffff].filter((v) => v <= maxOf(size));

describe("00 bytes", () => {
  before(() => {
    // A check of the test data, not of your code: the vectors are what RFC 8448 prints.
    expect(rfc.clientHello.length).to.equal(196);
    expectBytes(serverHandshakePayload, concatBytes(...serverMessages), "RFC 8448 §3 server handshake payload");
    expect(plaintextRecords.map((r) => r.payload.length)).to.deep.equal([196, 90]);
    expectBytes(clientHelloRecord.payload, rfc.clientHello, "RFC 8448 §3 ClientHello record payload");
  });

  // ---- 00.1 writeUint --------------------------------------------------------------------------------------

  it("00.1 writes uint32 16909060 as 01 02 03 04 (the example of RFC 8446 §3.3)", () => {
    expectWritten((w) => writeUint(w, 16909060, 4, "n"), Uint8Array.of(1, 2, 3, 4), "uint32 16909060");
  });

  it("00.1 writes the RFC 8448 §3 ClientHello's legacy_version 0x0303 as its bytes 4–5 (RFC 8446 §4.1.2)", () => {
    expectWritten((w) => writeUint(w, 0x0303, 2, "legacy_version"), rfc.clientHello.slice(4, 6), "uint16 0x0303");
  });

  it("00.1 writes uint8, uint16, uint24 and uint32 big-endian at the edges (0, 255, 256, 2^24−1, 2^32−1 …) as Node's Buffer does", () => {
    for (const size of [1, 2, 3, 4] as UintSize[]) {
      for (const value of edges(size)) {
        expectWritten((w) => writeUint(w, value, size, "n"), nodeUint(value, size), `uint${8 * size} ${value}`);
      }
    }
  });

  it("00.1 agrees with Buffer.writeUIntBE on 1,000 random values of every size", () => {
    assertProperty(
      fc.property(
        fc.constantFrom<UintSize>(1, 2, 3, 4).chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: maxOf(size) }))),
        ([size, value]) => {
          expectWritten((w) => writeUint(w, value, size, "n"), nodeUint(value, size), `uint${8 * size} ${value}`);
        },
      ),
      { demands: "every value of every size is written as the same big-endian bytes Buffer.writeUIntBE writes", inputs: ["[size, value]"] },
    );
  });

  it("00.1 appends after what the writer already holds and notes the bytes with the caller's note", () => {
    const w = new ByteWriter();
    writeUint(w, 0x16, 1, "content type");
    writeUint(w, 0x0301, 2, "legacy_record_version");
    // 16 03 01, RFC 8448 §3
    expectBytes(w.toBytes(), rfc.records3[0]!.record.slice(0, 3), "type and version", { annotations: w.annotations });
    const leaves = w.annotations.filter((a) => !a.group);
    expect(leaves.map((a) => [a.offset, a.length])).to.deep.equal([[0, 1], [1, 2]]);
    expect(leaves[0]!.note).to.include("content type");
    expect(leaves[1]!.note).to.include("legacy_record_version");
  });

  it("00.1 refuses a value that does not fit (256 in one byte, 2^32 in four, −1, 1.5, NaN) with internal_error", () => {
    const cases: [number, UintSize][] = [
      [256, 1],
      [0x10000, 2],
      [0x1000000, 3],
      [2 ** 32, 4],
      [-1, 1],
      [-1, 4],
      [1.5, 2],
      [Number.NaN, 2],
      [Number.POSITIVE_INFINITY, 4],
    ];
    for (const [value, size] of cases) {
      const w = new ByteWriter();
      expectTlsError(() => writeUint(w, value, size, "n"), { alert: internal_error });
      expect(w.length, `nothing written for ${value}`).to.equal(0);
    }
  });

  // ---- 00.2 readUint ---------------------------------------------------------------------------------------

  it("00.2 reads 01 02 03 04 as 16909060 (RFC 8446 §3.3) and ff ff ff ff as 4294967295, not −1", () => {
    expect(readUint(new ByteReader(Uint8Array.of(1, 2, 3, 4)), 4, "n")).to.equal(16909060);
    expect(readUint(new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), 4, "n")).to.equal(4294967295);
  });

  it("00.2 reads the RFC 8448 §3 ClientHello's uint24 length 00 00 c0 as 192 (196 octets minus the 4-byte header)", () => {
    const r = new ByteReader(rfc.clientHello, { start: 1 });
    expect(readUint(r, 3, "length")).to.equal(rfc.clientHello.length - 4);
    expect(r.offset).to.equal(4);
  });

  it("00.2 round-trips every size at the edges (0, 255, 256, 2^24−1, 2^32−1 …) against Node's Buffer", () => {
    for (const size of [1, 2, 3, 4] as UintSize[]) {
      for (const value of edges(size)) {
        const r = new ByteReader(nodeUint(value, size));
        expect(readUint(r, size, "n"), `uint${8 * size} ${value}`).to.equal(value);
        expect(r.remaining, "every byte consumed").to.equal(0);
      }
    }
  });

  it("00.2 agrees with Buffer.readUIntBE on 1,000 random inputs, and fails short ones with decode_error at the read's offset", () => {
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.constantFrom<UintSize>(1, 2, 3, 4), fc.nat(3), (bytes, size, skip) => {
        const start = Math.min(skip, bytes.length);
        const result = decodeOrTlsError((b) => readUint(new ByteReader(b, { start }), size, "my integer"), bytes);
        if (bytes.length - start >= size) {
          expect(outcome(result), `uint${8 * size} at offset ${start} of ${bytes.length} bytes: must read`).to.match(/^decoded/);
          if (result.ok) expect(result.value).to.equal(nodeReadUint(bytes, start, size));
        } else {
          expect(outcome(result), `only ${bytes.length - start} byte(s) for a uint${8 * size}: must fail`).to.match(/^failed/);
          if (!result.ok) {
            expect(result.error.field).to.include("my integer");
            expect(result.error.offset).to.equal(start);
          }
        }
      }),
      {
        demands: "readUint reads what Buffer.readUIntBE reads when enough bytes are left, and otherwise fails with decode_error naming the field and the offset where the integer starts",
        inputs: ["input", "size", "start"],
      },
    );
  });

  it("00.2 counts the offset in a truncated read from the start of the whole input (uint24 at offset 3 of 5 bytes)", () => {
    const r = new ByteReader(Uint8Array.of(0, 0, 0, 1, 2), { start: 3 });
    expectTlsError(() => readUint(r, 3, "handshake length"), { alert: decode_error, field: "handshake length", offset: 3 });
  });

  // ---- 00.3 writeVector ------------------------------------------------------------------------------------

  it("00.3 writes vectors with 1-, 2- and 3-byte length prefixes before the body (RFC 8446 §3.4), lengths 0 to 2^16", () => {
    const cases: [PrefixSize, number][] = [
      [1, 0],
      [1, 1],
      [1, 255],
      [2, 0],
      [2, 256],
      [2, 0xffff],
      [3, 0],
      [3, 0x10000],
    ];
    for (const [prefix, length] of cases) {
      const body = Uint8Array.from({ length }, (_, i) => (i * 7 + 1) & 0xff);
      const want = concatBytes(nodeUint(length, prefix), body);
      expectWritten((w) => writeVector(w, prefix, "v", (inner) => inner.bytes(body, "body")), want, `vector<${prefix}-byte prefix, ${length} bytes>`, lengthPrefixed(prefix));
    }
  });

  it("00.3 writes nested vectors (key_share's client_shares and key_exchange) exactly as in the RFC 8448 §3 ClientHello", () => {
    // RFC 8446 §4.2 and §4.2.8: extension_type 51, extension_data<2> { client_shares<2> { group 29, key_exchange<2> } }.
    const publicKey = findValue(3, "create an ephemeral x25519", "public key");
    // In the ClientHello, the extension is the 10 bytes before the key (type, three lengths, group) and the key.
    const keyAt = Buffer.from(rfc.clientHello).indexOf(Buffer.from(publicKey));
    const expected = rfc.clientHello.slice(keyAt - 10, keyAt + publicKey.length);
    const w = writeWith((w) => {
      writeUint(w, 51, 2, "extension_type");
      writeVector(w, 2, "extension_data", (data) =>
        writeVector(data, 2, "client_shares", (shares) => {
          writeUint(shares, 29, 2, "group");
          writeVector(shares, 2, "key_exchange", (k) => k.bytes(publicKey, "public key"));
        }),
      );
    });
    expectBytes(w.toBytes(), expected, "key_share extension", { annotations: w.annotations, structure: clientExtensions });
  });

  it("00.3 appends the body as a group under the caller's note (so the dump can show it indented)", () => {
    const w = writeWith((w) => {
      writeUint(w, 9, 1, "before");
      writeVector(w, 2, "my vector", (inner) => inner.bytes(Uint8Array.of(1, 2, 3), "three bytes"));
    });
    const group = w.annotations.find((a) => a.group && a.note.includes("my vector"));
    expect(group, "a group annotation noted 'my vector'").to.not.equal(undefined);
    expect([group!.offset, group!.length]).to.deep.equal([3, 3]);
    const leaf = w.annotations.find((a) => a.note.includes("three bytes"))!;
    expect([leaf.offset, leaf.depth]).to.deep.equal([3, 1]);
  });

  it("00.3 matches Node's Buffer for 1,000 random bodies and prefix sizes", () => {
    assertProperty(
      fc.property(fc.constantFrom<PrefixSize>(1, 2, 3), fc.uint8Array({ maxLength: 300 }), (prefix, body) => {
        const result = decodeOrTlsError(() => bytesOf((w) => writeVector(w, prefix, "v", (inner) => inner.bytes(body, "body"))), body, [internal_error]);
        if (body.length <= maxOf(prefix)) {
          expect(outcome(result), `${body.length} bytes under a ${prefix}-byte prefix`).to.match(/^decoded/);
          if (result.ok) expectBytes(result.value, concatBytes(nodeUint(body.length, prefix), body), `vector<${prefix}-byte prefix, ${body.length} bytes>`, { structure: lengthPrefixed(prefix) });
        } else {
          expect(outcome(result), `${body.length} bytes do not fit a ${prefix}-byte prefix`).to.match(/^failed/);
        }
      }),
      {
        demands: "writeVector writes the body's length in exactly `prefix` bytes, then the body; a body too long for its prefix is an internal_error",
        inputs: ["prefix size", "body"],
      },
    );
  });

  it("00.3 refuses a body too long for its prefix (256 bytes under a 1-byte prefix) with internal_error", () => {
    expectTlsError(() => writeVector(new ByteWriter(), 1, "v", (inner) => inner.bytes(new Uint8Array(256), "body")), {
      alert: internal_error,
    });
  });

  // ---- 00.4 readVector -------------------------------------------------------------------------------------

  it("00.4 reads vectors with 1-, 2- and 3-byte prefixes and hands the body a reader of exactly that length", () => {
    for (const [prefix, length] of [[1, 0], [1, 255], [2, 300], [3, 70000]] as [PrefixSize, number][]) {
      const body = Uint8Array.from({ length }, (_, i) => (i * 13 + 5) & 0xff);
      const input = concatBytes(Uint8Array.of(0xaa), nodeUint(length, prefix), body, Uint8Array.of(0xbb));
      const r = new ByteReader(input, { start: 1 });
      const got = readVector(r, prefix, "v", (inner) => {
        expect(inner.remaining, "the body sees exactly the vector").to.equal(length);
        return inner.bytes(inner.remaining, "body");
      });
      expectBytes(got, body, `body of vector<${prefix}-byte prefix, ${length} bytes>`);
      expect(r.offset, "the reader moves past the vector").to.equal(1 + prefix + length);
    }
  });

  it("00.4 reads the RFC 8448 §3 ClientHello body as a uint24-prefixed vector of 192 bytes", () => {
    const r = new ByteReader(rfc.clientHello, { start: 1 });
    const body = readVector(r, 3, "ClientHello body", (inner) => inner.bytes(inner.remaining, "body"));
    expectBytes(body, rfc.clientHello.slice(4), "ClientHello body", { structure: clientHelloBody });
    expect(r.remaining).to.equal(0);
  });

  it("00.4 fails a length that runs past the end with decode_error naming the vector and the offset of its length", () => {
    // At offset 2: a 1-byte length of 5, but only 2 bytes follow.
    const r = new ByteReader(Uint8Array.of(0xaa, 0xbb, 5, 1, 2), { start: 2 });
    expectTlsError(() => readVector(r, 1, "cipher_suites", (inner) => inner.bytes(inner.remaining, "x")), {
      alert: decode_error,
      field: "cipher_suites",
      offset: 2,
    });
  });

  it("00.4 fails a vector whose body leaves bytes unread (trailing bytes) with decode_error naming the vector", () => {
    const r = new ByteReader(Uint8Array.of(3, 1, 2, 3));
    expectTlsError(() => readVector(r, 1, "versions", (inner) => inner.bytes(2, "two of three")), {
      alert: decode_error,
      field: "versions",
      offset: 3,
    });
  });

  it("00.4 stops a body from reading past its vector even when the input goes on (decode_error)", () => {
    const r = new ByteReader(Uint8Array.of(2, 1, 2, 3, 4));
    expectTlsError(() => readVector(r, 1, "short vector", (inner) => inner.bytes(3, "three")), { alert: decode_error });
  });

  it("00.4 fails a truncated length prefix with decode_error", () => {
    for (const prefix of [2, 3] as PrefixSize[]) {
      for (const input of truncations(nodeUint(0, prefix))) {
        expectTlsError(() => readVector(new ByteReader(input), prefix, "v", () => 0), { alert: decode_error, offset: 0 });
      }
    }
  });

  it("00.4 accepts exactly-consumed vectors and fails every other of 1,000 random inputs with decode_error (Node's Buffer as oracle)", () => {
    assertProperty(
      fc.property(randomBytes(40), fc.constantFrom<PrefixSize>(1, 2, 3), fc.integer({ min: -2, max: 2 }), (input, prefix, delta) => {
        // Let the length prefix be small enough to fit sometimes: keep only its low bits.
        const bytes = input.slice();
        if (bytes.length >= prefix) for (let i = 0; i < prefix - 1; i++) bytes[i] = 0;
        if (bytes.length >= prefix) bytes[prefix - 1] = bytes[prefix - 1]! % 48;
        const declared = bytes.length >= prefix ? nodeReadUint(bytes, 0, prefix) : -1;
        const want = Math.max(0, declared + delta); // how much the body reads
        const result = decodeOrTlsError(
          (b) => {
            const r = new ByteReader(b);
            const v = readVector(r, prefix, "my vector", (inner) => inner.bytes(want, "body"));
            return { v, offset: r.offset };
          },
          bytes,
        );
        const fits = declared >= 0 && declared <= bytes.length - prefix;
        if (fits && want === declared) {
          expect(outcome(result), "a well-formed vector must read").to.match(/^decoded/);
          if (result.ok) {
            expectBytes(result.value.v, bytes.slice(prefix, prefix + declared), "vector body");
            expect(result.value.offset).to.equal(prefix + declared);
          }
        } else {
          expect(outcome(result), `declared ${declared}, ${bytes.length - prefix} left, body reads ${want}: must fail`).to.match(/^failed/);
          if (!result.ok && fits && want < declared) expect(result.error.field).to.include("my vector");
          if (!result.ok && declared > bytes.length - prefix) {
            expect(result.error.field).to.include("my vector");
            expect(result.error.offset, "the offset of the length").to.equal(0);
          }
        }
      }),
      {
        demands: "readVector reads a vector whose body uses exactly the declared length, and fails every other input with decode_error naming the vector (at the offset of its length when the length runs past the end)",
        inputs: ["input (its first bytes made a small length)", "prefix size", "bytes the body reads beyond the declared length"],
      },
    );
  });

  // ---- 00.5 records ----------------------------------------------------------------------------------------

  it("00.5 writes the RFC 8448 §3 ClientHello record (type 22, version 0x0301) byte for byte", () => {
    expectWritten((w) => writeRecord(w, 22, 0x0301, (f) => f.bytes(clientHelloRecord.payload, "ClientHello")), clientHelloRecord.record, "record", records);
  });

  it("00.5 writes the RFC 8448 §3 ServerHello record (type 22, version 0x0303) byte for byte", () => {
    expectWritten((w) => writeRecord(w, 22, 0x0303, (f) => f.bytes(serverHelloRecord.payload, "ServerHello")), serverHelloRecord.record, "record", records);
  });

  it("00.5 writes each illustrated-tls13/12 record byte for byte from its type, version and fragment", () => {
    for (const [name, record] of Object.entries(illustrated)) {
      const { type, version, fragment } = recordFields(record);
      expectWritten((w) => writeRecord(w, type, version, (f) => f.bytes(fragment, "fragment")), record, `${name} record`, records);
    }
  });

  it("00.5 writes a 2^14-byte fragment (length 40 00) and refuses 2^14 + 1 bytes with internal_error (RFC 8446 §5.1)", () => {
    const got = bytesOf((w) => writeRecord(w, 23, 0x0303, (f) => f.bytes(new Uint8Array(2 ** 14), "data")));
    expect(got.length).to.equal(5 + 2 ** 14);
    expectBytes(got.slice(0, 5), concatBytes(Uint8Array.of(23, 3, 3), nodeUint(2 ** 14, 2)), "record header", { structure: records });
    expectTlsError(() => writeRecord(new ByteWriter(), 23, 0x0303, (f) => f.bytes(new Uint8Array(2 ** 14 + 1), "data")), {
      alert: internal_error,
    });
  });

  it("00.5 reads the illustrated-tls13/12 records: type 22, versions 0x0301/0x0303, fragments of 248, 122, 165, 49 bytes", () => {
    // Lengths and versions as tests/vectors/SOURCES.md records them for each capture.
    const expected: [Uint8Array, number, number][] = [
      [illustrated.tls13ClientHello, 0x0301, 248],
      [illustrated.tls13ServerHello, 0x0303, 122],
      [illustrated.tls12ClientHello, 0x0301, 165],
      [illustrated.tls12ServerHello, 0x0303, 49],
    ];
    for (const [bytes, version, length] of expected) {
      const r = new ByteReader(bytes);
      const record = readRecord(r);
      expectCode(record.type, ContentType.handshake, ContentType, "content type");
      expectCode(record.version, version, ProtocolVersion, "legacy_record_version");
      expect(record.fragment.length).to.equal(length);
      expectBytes(record.fragment, bytes.slice(5), "fragment", { structure: handshakes });
      expect(r.remaining).to.equal(0);
    }
  });

  it("00.5 reads every record of the RFC 8448 §3 trace; the plaintext ones carry exactly the RFC's payload", () => {
    for (const sent of rfc.records3) {
      const record = readRecord(new ByteReader(sent.record));
      expectSame(record, recordFields(sent.record), `record ${rfc.records3.indexOf(sent) + 1} of RFC 8448 §3`, { codes: RECORD_CODES });
    }
    for (const sent of plaintextRecords) {
      expectBytes(readRecord(new ByteReader(sent.record)).fragment, sent.payload, "fragment", { structure: handshakes });
    }
  });

  it("00.5 reads a record header alone (type, version, length) and notes the content type by name", () => {
    const r = new ByteReader(clientHelloRecord.record);
    expectSame(readRecordHeader(r), { type: 22, version: 0x0301, length: 196 }, "record header", { codes: RECORD_CODES });
    expect(r.offset).to.equal(5);
    expect(r.annotations.map((a) => a.note).join(" | ")).to.include("handshake");
  });

  it("00.5 fails an unknown content type with unexpected_message naming the field and its offset (RFC 8446 §5)", () => {
    for (const type of [0, 19, 25, 0x80, 0xff]) {
      const input = concatBytes(Uint8Array.of(0xee, 0xee), Uint8Array.of(type), clientHelloRecord.record.slice(1));
      expectTlsError(() => readRecordHeader(new ByteReader(input, { start: 2 })), { alert: unexpected_message, field: /type/i, offset: 2 });
    }
  });

  it("00.5 fails a length above 2^14 + 2048 with record_overflow at the length's offset, and accepts 2^14 + 2048 (RFC 5246 §6.2.3)", () => {
    const header = (length: number) => concatBytes(Uint8Array.of(23, 3, 3), nodeUint(length, 2));
    expect(readRecordHeader(new ByteReader(header(2 ** 14 + 2048))).length).to.equal(2 ** 14 + 2048);
    for (const length of [2 ** 14 + 2049, 0xffff]) {
      expectTlsError(() => readRecordHeader(new ByteReader(header(length))), { alert: record_overflow, field: /length/i, offset: 3 });
    }
  });

  it("00.5 fails every truncation of a real record with decode_error", () => {
    for (const input of truncations(serverHelloRecord.record)) {
      expectTlsError(() => readRecord(new ByteReader(input)), { alert: decode_error });
    }
  });

  it("00.5 fails only with TlsErrors on 1,000 random and mutated records, and reads headers exactly as RFC 8446 §5.1 lays them out", () => {
    const seeds = [...rfc.records3.map((r) => r.record), ...Object.values(illustrated)];
    onlyTlsErrors((b) => readRecord(new ByteReader(b)), badInputs(seeds, 40), {
      alerts: [decode_error, unexpected_message, record_overflow],
      demands: "a record it reads is the input's first 5 + length bytes, split as RFC 8446 §5.1 lays them out",
      explain: records,
      also: (record, input) => {
        expectSame(record, recordFields(input.slice(0, 5 + record.fragment.length)), "record", { codes: RECORD_CODES });
        expectCodeIn(record.type, [20, 21, 22, 23, 24], ContentType, "content type");
      },
    });
  });

  it("00.5 accepts all four content types of RFC 8446 §5.1 and fails random headers only as the rules say", () => {
    assertProperty(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), fc.constantFrom(20, 21, 22, 23, -1), (h, type) => {
        if (type >= 0) h[0] = type;
        const length = (h[3]! << 8) | h[4]!;
        const result = decodeOrTlsError((b) => readRecordHeader(new ByteReader(b)), h, [unexpected_message, record_overflow]);
        if (h[0]! < 20 || h[0]! > 24) {
          expect(result.ok ? "accepted" : alertName(result.error.alert), `type ${h[0]}`).to.equal(alertName(unexpected_message));
        } else if (h[0] !== 24 && length > 2 ** 14 + 2048) {
          expect(result.ok ? "accepted" : alertName(result.error.alert), `length ${length}`).to.equal(alertName(record_overflow));
        } else if (h[0] !== 24) {
          expect(outcome(result), `type ${h[0]}, length ${length}`).to.match(/^decoded/);
          if (result.ok) expectSame(result.value, { type: h[0], version: (h[1]! << 8) | h[2]!, length }, "record header", { codes: RECORD_CODES });
        }
      }),
      {
        demands: "readRecordHeader accepts content types 20–23 with a length up to 2^14 + 2048, fails another type with unexpected_message and a longer length with record_overflow",
        inputs: ["header", "content type forced (−1: random)"],
      },
    );
  });

  // ---- 00.6 handshake headers ------------------------------------------------------------------------------

  it("00.6 writes the RFC 8448 §3 ClientHello's handshake header (type 1, uint24 length) around its body, byte for byte", () => {
    expectWritten((w) => writeHandshake(w, 1, (b) => b.bytes(rfc.clientHello.slice(4), "body")), rfc.clientHello, "ClientHello", handshakes);
  });

  it("00.6 writes every handshake message of RFC 8448 §3 and §4 (ServerHello … NewSessionTicket, the empty EndOfEarlyData)", () => {
    const messages = [rfc.serverHello, ...serverMessages, rfc.clientFinished, rfc.newSessionTicket, rfc.endOfEarlyData];
    for (const m of messages) {
      expectWritten((w) => writeHandshake(w, m[0]!, (b) => b.bytes(m.slice(4), "body")), m, `handshake message of type ${m[0]}`, handshakes);
    }
  });

  it("00.6 reads the RFC 8448 §3 ClientHello: type 1 and a reader over exactly its 192-byte body", () => {
    const r = new ByteReader(rfc.clientHello);
    const { type, body } = readHandshake(r);
    expectCode(type, HandshakeType.client_hello, HandshakeType, "msg_type");
    expect(body.remaining).to.equal(rfc.clientHello.length - 4);
    expect(body.offset, "offsets count from the start of the input").to.equal(4);
    expectBytes(body.bytes(body.remaining, "body"), rfc.clientHello.slice(4), "body", { structure: clientHelloBody });
    expect(r.remaining).to.equal(0);
    expect(r.annotations.map((a) => a.note).join(" | ")).to.include("client_hello");
  });

  it("00.6 reads two handshake messages from one buffer (RFC 8448 §3 EncryptedExtensions then Certificate)", () => {
    const r = new ByteReader(concatBytes(rfc.encryptedExtensions, rfc.certificate));
    const first = readHandshake(r);
    expectSame(
      { msgType: first.type, bodyLength: first.body.remaining, readerAt: r.offset },
      { msgType: HandshakeType.encrypted_extensions, bodyLength: rfc.encryptedExtensions.length - 4, readerAt: rfc.encryptedExtensions.length },
      "first message",
    );
    const second = readHandshake(r);
    expectSame({ msgType: second.type, bodyLength: second.body.remaining }, { msgType: HandshakeType.certificate, bodyLength: rfc.certificate.length - 4 }, "second message");
    expect(r.remaining).to.equal(0);
  });

  it("00.6 reads the empty-bodied EndOfEarlyData of RFC 8448 §4 (type 5, length 0)", () => {
    const { type, body } = readHandshake(new ByteReader(rfc.endOfEarlyData));
    expectSame({ msgType: type, bodyLength: body.remaining }, { msgType: HandshakeType.end_of_early_data, bodyLength: 0 }, "EndOfEarlyData");
  });

  it("00.6 fails a length longer than what is left with decode_error naming the length and its offset", () => {
    const cut = rfc.serverHello.slice(0, rfc.serverHello.length - 1);
    expectTlsError(() => readHandshake(new ByteReader(cut)), { alert: decode_error, field: /length/i, offset: 1 });
    const shifted = concatBytes(Uint8Array.of(0, 0, 0), cut);
    expectTlsError(() => readHandshake(new ByteReader(shifted, { start: 3 })), { alert: decode_error, field: /length/i, offset: 4 });
  });

  it("00.6 fails every truncation of a real handshake message with decode_error", () => {
    for (const input of truncations(rfc.encryptedExtensions)) {
      expectTlsError(() => readHandshake(new ByteReader(input)), { alert: decode_error });
    }
  });

  it("00.6 fails only with decode_error on 1,000 random and mutated messages, and otherwise reads header and body as RFC 8446 §4 lays them out", () => {
    const seeds = [rfc.clientHello, rfc.serverHello, ...serverMessages, rfc.endOfEarlyData];
    onlyTlsErrors(
      (b) => {
        const r = new ByteReader(b);
        const { type, body } = readHandshake(r);
        return { type, length: body.remaining, bodyAt: body.offset, end: r.offset };
      },
      badInputs(seeds, 24),
      {
        demands: "a header it reads has the input's msg_type and uint24 length, and the body starts at offset 4",
        explain: handshakes,
        also: (got, input) => {
          const declared = nodeReadUint(input, 1, 3);
          expectSame(got, { type: input[0], length: declared, bodyAt: 4, end: 4 + declared }, "handshake header", { codes: { type: HandshakeType } });
        },
      },
    );
  });

  // ---- 00.7 reading from a stream --------------------------------------------------------------------------

  const recordUnits = (buffer: Uint8Array) => {
    const got = nextRecord(buffer);
    return got === null ? null : { size: got.size, unit: got.record };
  };
  const handshakeUnits = (buffer: Uint8Array) => {
    const got = nextHandshake(buffer);
    return got === null ? null : { size: got.size, unit: got.message };
  };

  it("00.7 returns null for every incomplete prefix of a record and the record once it is all there", () => {
    const record = serverHelloRecord.record;
    for (const input of truncations(record)) expect(nextRecord(input), `${input.length} bytes`).to.equal(null);
    const got = nextRecord(concatBytes(record, rfc.records3[2]!.record.slice(0, 3)));
    expect(got).to.not.equal(null);
    expect(got!.size).to.equal(record.length);
    expectSame(got!.record, recordFields(record), "record", { codes: RECORD_CODES });
  });

  it("00.7 splits the RFC 8448 §3 server flight into its records, cut in two at every byte position", () => {
    const stream = concatBytes(...serverFlight.map((r) => r.record));
    const expected = serverFlight.map((r) => recordFields(r.record));
    const sizes = serverFlight.map((r) => r.record.length);
    for (let cut = 0; cut <= stream.length; cut++) {
      const { units, afterChunk } = receive(splitAt(stream, cut), recordUnits);
      expect(afterChunk[0], `records complete in the first ${cut} bytes`).to.equal(completeWithin(sizes, cut));
      expectSame(units, expected, `records of the stream cut at ${cut}`, { codes: RECORD_CODES });
    }
  });

  it("00.7 splits the RFC 8448 §3 client records and the illustrated recordings, fed one byte at a time", () => {
    for (const records of [rfc.records3.filter((r) => r.actor === "client").map((r) => r.record), Object.values(illustrated)]) {
      const { units, afterChunk } = receive(bytewise(concatBytes(...records)), recordUnits);
      expectSame(units, records.map(recordFields), "records fed one byte at a time", { codes: RECORD_CODES });
      const sizes = records.map((r) => r.length);
      afterChunk.forEach((n, i) => expect(n, `after ${i + 1} bytes`).to.equal(completeWithin(sizes, i + 1)));
    }
  });

  it("00.7 fails a bad record header at once, without waiting for its fragment (unexpected_message, record_overflow)", () => {
    expectTlsError(() => nextRecord(Uint8Array.of(0x47, 0x45, 0x54, 0x20, 0x2f)), { alert: unexpected_message }); // "GET /"
    expectTlsError(() => nextRecord(Uint8Array.of(22, 3, 3, 0xff, 0xff)), { alert: record_overflow });
  });

  it("00.7 fails only with TlsErrors on 1,000 random and mutated streams, and a record it returns is the front of the buffer", () => {
    const seeds = [concatBytes(...serverFlight.map((r) => r.record)), ...Object.values(illustrated)];
    onlyTlsErrors(nextRecord, badInputs(seeds, 40), {
      alerts: [decode_error, unexpected_message, record_overflow],
      demands: "a record it returns is the front of the buffer, and its size is 5 + its fragment's length",
      explain: records,
      also: (got, input) => {
        if (got === null) return;
        expect(got.size).to.equal(5 + got.record.fragment.length);
        expectSame(got.record, recordFields(input.slice(0, got.size)), "record", { codes: RECORD_CODES });
      },
    });
  });

  it("00.7 finds the four server messages of RFC 8448 §3 in their one 657-byte payload, cut in two at every position", () => {
    const sizes = serverMessages.map((m) => m.length);
    for (let cut = 0; cut <= serverHandshakePayload.length; cut++) {
      const { units, afterChunk } = receive(splitAt(serverHandshakePayload, cut), handshakeUnits);
      expect(afterChunk[0], `messages complete in the first ${cut} bytes`).to.equal(completeWithin(sizes, cut));
      expectSame(units, serverMessages, `messages of the payload cut at ${cut}`, { structure: handshakes });
    }
  });

  it("00.7 reassembles the RFC 8448 §3 Certificate sent across 100-byte records, and two messages in one record", () => {
    // Frame the messages as a sender would (RFC 8446 §5.1: type 22, 0x0303, uint16 length, fragment).
    const frame = (fragment: Uint8Array) => concatBytes(Uint8Array.of(22, 3, 3), nodeUint(fragment.length, 2), fragment);
    const payload = concatBytes(rfc.certificate, rfc.encryptedExtensions, rfc.certificateVerify);
    const fragments: Uint8Array[] = [];
    for (let i = 0; i < payload.length; i += 100) fragments.push(payload.slice(i, i + 100));
    const records = receive([concatBytes(...fragments.map(frame))], recordUnits).units;
    expect(records.length).to.equal(fragments.length);
    const messages = receive(records.map((r) => r.fragment), handshakeUnits);
    expectSame(messages.units, [rfc.certificate, rfc.encryptedExtensions, rfc.certificateVerify], "messages", { structure: handshakes });
    // The Certificate (445 bytes) is complete only with the fifth fragment (bytes 400–499), which also holds the
    // whole EncryptedExtensions (bytes 445–484): two messages come out of that one record.
    expect(messages.afterChunk.slice(0, 5)).to.deep.equal([0, 0, 0, 0, 2]);
  });

  it("00.7 returns null for a handshake header that promises more than has arrived, however much it promises", () => {
    for (const input of truncations(rfc.certificateVerify)) expect(nextHandshake(input), `${input.length} bytes`).to.equal(null);
    expect(nextHandshake(Uint8Array.of(11, 0xff, 0xff, 0xff, 1, 2, 3))).to.equal(null);
  });

  it("00.7 fails only with TlsErrors on 1,000 random and mutated handshake streams, and a message it returns is 4 + its declared length", () => {
    onlyTlsErrors(nextHandshake, badInputs([serverHandshakePayload, rfc.clientHello, rfc.endOfEarlyData], 24), {
      alerts: [decode_error, unexpected_message],
      demands: "it returns null until 4 + the declared length bytes are there, then exactly that message",
      explain: handshakes,
      also: (got, input) => {
        if (input.length < 4 || 4 + nodeReadUint(input, 1, 3) > input.length) {
          expect(got, "incomplete: must be null").to.equal(null);
          return;
        }
        expect(got).to.not.equal(null);
        expect(got!.size).to.equal(4 + nodeReadUint(input, 1, 3));
        expectBytes(got!.message, input.slice(0, got!.size), "message", { structure: handshakes });
      },
    });
  });
});
