// Why 0-RTT needs a guard, and the guard. Early data is read before the client has proved it is live: anyone who
// copied a client's first flight can send it again, and a server that accepts it runs the request twice. RFC 8446 §8
// offers single-use tickets (§8.1), recording ClientHellos (§8.2) and freshness checks (§8.3); this server records
// each ClientHello's binder for a window of time and refuses a ClientHello whose ticket age does not fit that window.
// Read RFC 8446 §8, §8.2, §8.3 and §4.2.11.1 (the obfuscated ticket age).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { toHex } from "../../lib/hex.js";
import { TICKET_AGE_MODULUS } from "../09-resumption-0rtt/index.js";
import { NotImplemented } from "../../lib/errors.js";

/** How far the age a client presents may be from the time since the ticket was issued (clock rates, RTT). */
export const DEFAULT_FRESHNESS_WINDOW_MS = 10_000;
/** The most ClientHellos recorded at once. When full, early data is refused (the safe side), never accepted blindly. */
export const DEFAULT_RECORD_CAPACITY = 100_000;

/** The verdict on one ClientHello's early data. */
export interface ReplayVerdict {
  ok: boolean;
  reason: string;
}

/** What the check needs from the client's offer and from the ticket. */
export interface ReplayCheck {
  obfuscatedTicketAge: number;
  binder: Uint8Array;
  issuedAt: number;
  ageAdd: number;
}

/** One server's record of the ClientHellos whose early data it accepted, and the freshness rule. */
export class AntiReplay {
  /** binder (hex) → until when it is kept (ms). Inserted in time order, so the oldest come first. */
  private readonly seen = new Map<string, number>();

  constructor(
    readonly windowMs: number = DEFAULT_FRESHNESS_WINDOW_MS,
    readonly capacity: number = DEFAULT_RECORD_CAPACITY,
  ) {}

  /** How many ClientHellos are recorded now. */
  get size(): number {
    return this.seen.size;
  }

  /** May early data from this ClientHello be read? A yes records it, so the same ClientHello gets no the next time. */
  check(c: ReplayCheck, now: number): ReplayVerdict {
    // TODO 10.18: (1) Freshness (RFC 8446 §8.3): the age the client presents is (obfuscatedTicketAge − ageAdd)
    // mod 2^32 (TICKET_AGE_MODULUS; keep it non-negative), the age the server knows is now − issuedAt; more than
    // windowMs apart: { ok: false } with both ages in the reason. (2) Forget entries whose time is up (they come first
    // in the Map; stop at the first that is still good). (3) The ClientHello's binder (toHex) already recorded:
    // { ok: false }, a replay (§8.2). (4) Record full (capacity): { ok: false }. (5) Else record it, kept until now +
    // 2 · windowMs (a copy can pass the freshness check that long after the original), and { ok: true }.
    throw new NotImplemented("10.18");
    // END 10.18
  }
}
