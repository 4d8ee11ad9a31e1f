// Record framing for the test harness: where a TLS record ends, and the first handshake message carried by a
// run of records. Only framing (RFC 8446 §5.1, RFC 5246 §6.2.1), never contents: decoding is the learner's job.
// The harness needs this to know when a peer has sent "enough" bytes, and to compare what was captured.

/** TLSPlaintext.type values the harness has to recognise (RFC 8446 §5.1). */
export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;

export const RECORD_HEADER_LENGTH = 5; // type(1) + legacy_record_version(2) + length(2)
export const HANDSHAKE_HEADER_LENGTH = 4; // msg_type(1) + length(3)
// A fragment may be at most 2^14 bytes, plus 256 of expansion when protected (RFC 8446 §5.2) or 2048 in TLS 1.2
// (RFC 5246 §6.2.3): anything longer means the bytes are not TLS records at all.
const MAX_RECORD_BODY = 2 ** 14 + 2048;

/**
 * The total length (header included) of the record starting at `offset`, or undefined while it is incomplete.
 * Throws if the header cannot be a TLS record, so a harness stops reading instead of waiting for a bogus length.
 */
export function completeRecordLength(bytes: Uint8Array, offset = 0): number | undefined {
  if (bytes.length - offset < RECORD_HEADER_LENGTH) return undefined;
  const type = bytes[offset]!;
  const length = (bytes[offset + 3]! << 8) | bytes[offset + 4]!;
  if (type < 20 || type > 23 || length > MAX_RECORD_BODY) {
    const head = Buffer.from(bytes.subarray(offset, offset + RECORD_HEADER_LENGTH)).toString("hex");
    throw new Error(`offset ${offset}: "${head}" is not a TLS record header (type ${type}, length ${length})`);
  }
  const total = RECORD_HEADER_LENGTH + length;
  return bytes.length - offset >= total ? total : undefined;
}

/**
 * Looks for the first handshake message in a run of handshake records (it may span several).
 * Returns the message (its 4-byte header included) and how many bytes of `bytes` the records holding it take,
 * or undefined while the message is still incomplete. Throws if a non-handshake record comes first.
 */
export function firstHandshakeMessage(bytes: Uint8Array): { message: Uint8Array; recordsLength: number } | undefined {
  const fragments: Uint8Array[] = [];
  let collected = 0;
  let offset = 0;
  for (;;) {
    const recordLength = completeRecordLength(bytes, offset);
    if (recordLength === undefined) return undefined;
    if (bytes[offset] !== ContentType.handshake) {
      throw new Error(`offset ${offset}: expected a handshake record (22), got content type ${bytes[offset]}`);
    }
    const fragment = bytes.subarray(offset + RECORD_HEADER_LENGTH, offset + recordLength);
    fragments.push(fragment);
    collected += fragment.length;
    offset += recordLength;
    if (collected >= HANDSHAKE_HEADER_LENGTH) {
      const joined = Buffer.concat(fragments);
      const messageLength = HANDSHAKE_HEADER_LENGTH + ((joined[1]! << 16) | (joined[2]! << 8) | joined[3]!);
      if (collected >= messageLength) {
        return { message: new Uint8Array(joined.subarray(0, messageLength)), recordsLength: offset };
      }
    }
  }
}

/** The first handshake message (header included) from complete records, e.g. from `captureClientHello`. */
export function handshakeMessageFromRecords(records: Uint8Array): Uint8Array {
  const found = firstHandshakeMessage(records);
  if (!found) throw new Error(`the ${records.length} bytes given do not hold a complete handshake message`);
  return found.message;
}
