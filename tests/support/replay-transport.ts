// A transport that plays back a recorded server (RFC 8448's traces, the tls13.xargs.org capture): every readRecord
// returns the next record the server sent in the recording, whatever the client wrote, and every record the client
// writes is kept, so a test can compare them with the recorded client's records byte for byte. With the recorded
// client's random and private key, a correct client derives the same keys and so writes the very same bytes.
// Satisfies chapter 06's RecordTransport (readRecord / write / close).

export interface ReplayRecord {
  type: number;
  version: number;
  fragment: Uint8Array;
}

export interface ReplayTransport {
  readRecord(): Promise<ReplayRecord | null>;
  write(bytes: Uint8Array): void;
  close(): void;
  /** Every record the client wrote, whole (header included), in order. */
  readonly written: Uint8Array[];
  /** How many of the server's records have been read. */
  readonly delivered: number;
  readonly closed: boolean;
}

/** Cuts whole records (5-byte header, then the length it gives) out of `bytes`; a partial record is an error here. */
export function splitRecords(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (bytes.length - at < 5) throw new Error(`a partial record header at offset ${at}`);
    const end = at + 5 + ((bytes[at + 3]! << 8) | bytes[at + 4]!);
    if (end > bytes.length) throw new Error(`a partial record at offset ${at}`);
    out.push(bytes.slice(at, end));
    at = end;
  }
  return out;
}

/** Plays back `serverRecords` (each a whole record, header included). After the last one, reads give null. */
export function replayTransport(serverRecords: readonly Uint8Array[]): ReplayTransport {
  const written: Uint8Array[] = [];
  let next = 0;
  let closed = false;
  return {
    async readRecord() {
      if (closed || next >= serverRecords.length) return null;
      const r = serverRecords[next++]!;
      return { type: r[0]!, version: (r[1]! << 8) | r[2]!, fragment: r.slice(5) };
    },
    write(bytes: Uint8Array) {
      if (!closed) written.push(...splitRecords(bytes));
    },
    close() {
      closed = true;
    },
    get written() {
      return written;
    },
    get delivered() {
      return next;
    },
    get closed() {
      return closed;
    },
  };
}
