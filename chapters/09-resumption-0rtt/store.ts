// Where tickets live between two runs of the client: a JSON file. Each ticket is used once and then forgotten (a
// server may refuse a ticket it has seen, RFC 8446 §8.1, and a fresh one arrives with every connection), and tickets
// past their lifetime are dropped. Read RFC 8446 §4.6.1 (lifetime), §8.1 and §C.4 (why clients should not reuse a
// ticket: reuse lets an observer link the connections).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { fromHex, toHex } from "../../lib/hex.js";
import { type StoredTicket, ticketValid } from "./ticket.js";
import { NotImplemented } from "../../lib/errors.js";

/** The version written into the file, so that a future format can tell an old file apart. */
export const TICKET_FILE_VERSION = 1;

/** A ticket as it is written to the file: bytes as hex strings, everything else as is. */
export interface TicketJson {
  servername: string;
  cipherSuite: number;
  identity: string;
  psk: string;
  ageAdd: number;
  receivedAt: number;
  lifetime: number;
  maxEarlyDataSize: number;
}

/** The ticket as a JSON-ready object. Note that the file holds PSKs: anyone who reads it can resume as us. */
export function ticketToJson(t: StoredTicket): TicketJson {
  return { ...t, identity: toHex(t.identity), psk: toHex(t.psk) };
}

/** Reads one ticket back; a field of the wrong type is a TlsError internal_error naming it (a damaged file). */
export function ticketFromJson(j: unknown): StoredTicket {
  const o = (j ?? {}) as Record<string, unknown>;
  const need = (field: string, type: "string" | "number"): void => {
    if (typeof o[field] !== type) throw new TlsError(AlertDescription.internal_error, `ticket file: "${field}" must be a ${type}`, { field });
  };
  for (const f of ["servername", "identity", "psk"]) need(f, "string");
  for (const f of ["cipherSuite", "ageAdd", "receivedAt", "lifetime", "maxEarlyDataSize"]) need(f, "number");
  return {
    servername: o.servername as string,
    cipherSuite: o.cipherSuite as number,
    identity: fromHex(o.identity as string),
    psk: fromHex(o.psk as string),
    ageAdd: o.ageAdd as number,
    receivedAt: o.receivedAt as number,
    lifetime: o.lifetime as number,
    maxEarlyDataSize: o.maxEarlyDataSize as number,
  };
}

/** The tickets of a client, optionally backed by a file. */
export class TicketStore {
  tickets: StoredTicket[] = [];

  /** `file`: where load() reads and save() writes; none keeps the tickets in memory only. */
  constructor(readonly file?: string) {}

  /** A store with the tickets of `file` (none if the file does not exist yet). */
  static load(file: string): TicketStore {
    const store = new TicketStore(file);
    if (existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as { version?: number; tls?: unknown; tickets?: unknown[] };
      // A file without "tls" was written before TLS 1.2 sessions had files of their own: TLS 1.3 tickets too.
      if (parsed.tls === "1.2") throw new TlsError(AlertDescription.internal_error, `${file} holds a TLS 1.2 session, not TLS 1.3 tickets`, { field: "file" });
      store.tickets = (parsed.tickets ?? []).map(ticketFromJson);
    }
    return store;
  }

  /** Keeps tickets for later. */
  add(...tickets: StoredTicket[]): void {
    this.tickets.push(...tickets);
  }

  /**
   * The ticket to offer `servername` at `now`, removed from the store (single use), or undefined. The newest valid one
   * wins; expired tickets are dropped on the way.
   */
  take(servername: string, now: Date = new Date()): StoredTicket | undefined {
    // TODO 09.11: drop every ticket that is no longer ticketValid at now (RFC 8446 §4.6.1: never use a ticket past
    // its lifetime); among the rest for this servername, take the one with the latest receivedAt, remove it from
    // this.tickets (a ticket is offered once, RFC 8446 §C.4) and return it.
    throw new NotImplemented("09.11");
    // END 09.11
  }

  /** Writes the tickets still valid at `now` to the file, as { version, tls: "1.3", tickets: [...] }. */
  save(now: Date = new Date()): void {
    // TODO 09.11: without a file, TlsError internal_error (field "file"). Keep only the tickets valid at now, then
    // writeFileSync(file, JSON.stringify({ version: TICKET_FILE_VERSION, tls: "1.3", tickets: tickets.map(ticketToJson) },
    // null, 2)) with mode 0o600: the file holds secrets. "tls" says which version the file holds (a TLS 1.2 session file,
    // store12.ts, says "1.2").
    throw new NotImplemented("09.11");
    // END 09.11
  }
}
