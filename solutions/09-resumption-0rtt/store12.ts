// Where TLS 1.2 sessions live between two runs of the client: a JSON file, like the TLS 1.3 tickets' (store.ts), that
// says which version it holds ("tls": "1.2"; a file without it is a TLS 1.3 ticket file). A session is offered once
// and replaced by the one its connection ends with; sessions past their lifetime are dropped. The file holds master
// secrets: anyone who reads it can decrypt the recorded connections of those sessions (RFC 5077 §5.5, §5.8).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { fromHex, toHex } from "../../lib/hex.js";
import type { ClientSession12 } from "./resume12.js";
import { TICKET_FILE_VERSION } from "./store.js";

/** A session as read back from the file; a field of the wrong type is internal_error naming it (a damaged file). */
function sessionFromJson(j: unknown): ClientSession12 {
  const o = (j ?? {}) as Record<string, unknown>;
  const need = (field: string, type: string): void => {
    if (typeof o[field] !== type) throw new TlsError(AlertDescription.internal_error, `session file: "${field}" must be a ${type}`, { field });
  };
  for (const f of ["servername", "master", "sessionId"]) need(f, "string");
  for (const f of ["cipherSuite", "receivedAt", "lifetime"]) need(f, "number");
  need("extendedMasterSecret", "boolean");
  if (o.ticket !== undefined) need("ticket", "string");
  return {
    servername: o.servername as string,
    cipherSuite: o.cipherSuite as number,
    master: fromHex(o.master as string),
    extendedMasterSecret: o.extendedMasterSecret as boolean,
    sessionId: fromHex(o.sessionId as string),
    ...(o.ticket !== undefined ? { ticket: fromHex(o.ticket as string) } : {}),
    receivedAt: o.receivedAt as number,
    lifetime: o.lifetime as number,
  };
}

/** Still usable at `now`: received no later than now, and within its lifetime. */
export function sessionValid12(s: ClientSession12, now: Date): boolean {
  const age = now.getTime() - s.receivedAt;
  return age >= 0 && age <= s.lifetime * 1000;
}

/** The TLS 1.2 sessions of a client, optionally backed by a file. */
export class Session12Store {
  sessions: ClientSession12[] = [];

  constructor(readonly file?: string) {}

  /** A store with the sessions of `file` (none if it does not exist yet); a TLS 1.3 ticket file is refused by name. */
  static load(file: string): Session12Store {
    const store = new Session12Store(file);
    if (!existsSync(file)) return store;
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { tls?: unknown; sessions?: unknown[] };
    if (parsed.tls !== "1.2") throw new TlsError(AlertDescription.internal_error, `${file} holds TLS 1.3 tickets, not TLS 1.2 sessions`, { field: "file" });
    store.sessions = (parsed.sessions ?? []).map(sessionFromJson);
    return store;
  }

  add(...sessions: ClientSession12[]): void {
    this.sessions.push(...sessions);
  }

  /** The newest session for `servername` still valid at `now`, removed from the store (its connection brings a new one). */
  take(servername: string, now: Date = new Date()): ClientSession12 | undefined {
    this.sessions = this.sessions.filter((s) => sessionValid12(s, now));
    let best = -1;
    this.sessions.forEach((s, i) => {
      if (s.servername === servername && (best < 0 || s.receivedAt > this.sessions[best]!.receivedAt)) best = i;
    });
    return best < 0 ? undefined : this.sessions.splice(best, 1)[0];
  }

  /** Writes the sessions still valid at `now` as { version, tls: "1.2", sessions }, readable by us alone. */
  save(now: Date = new Date()): void {
    if (this.file === undefined) throw new TlsError(AlertDescription.internal_error, "this session store has no file", { field: "file" });
    this.sessions = this.sessions.filter((s) => sessionValid12(s, now));
    const sessions = this.sessions.map((s) => ({ ...s, master: toHex(s.master), sessionId: toHex(s.sessionId), ...(s.ticket ? { ticket: toHex(s.ticket) } : {}) }));
    writeFileSync(this.file, JSON.stringify({ version: TICKET_FILE_VERSION, tls: "1.2", sessions }, null, 2) + "\n", { mode: 0o600 });
  }
}
