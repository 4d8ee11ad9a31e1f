// The two errors of the project.
// TlsError carries the alert a real implementation would send (RFC 8446 §6.2, RFC 5246 §7.2.2) and says
// where it went wrong; NotImplemented marks an exercise the learner has not done yet.
import { AlertDescription, nameOf } from "./constants.js";

/** Where a decoder stopped: the field it was reading and the byte offset from the start of the input. */
export interface Where {
  field?: string;
  offset?: number;
}

/**
 * A failed check. `alert` is the AlertDescription a TLS peer would send for it; the message says what
 * was expected, what arrived and where. Decoders throw only this, never RangeError or TypeError.
 */
export class TlsError extends Error {
  readonly alert: number;
  readonly field: string | undefined;
  readonly offset: number | undefined;
  /** The message without the alert and place in front, for wrapping it with more context. */
  readonly detail: string;

  constructor(alert: number, message: string, where: Where = {}) {
    const place = [
      where.field === undefined ? "" : where.field,
      where.offset === undefined ? "" : `at offset ${where.offset}`,
    ]
      .filter((s) => s !== "")
      .join(" ");
    super(`${alertName(alert)}: ${place === "" ? "" : place + ": "}${message}`);
    this.name = "TlsError";
    this.detail = message;
    this.alert = alert;
    this.field = where.field;
    this.offset = where.offset;
  }

  get alertName(): string {
    return alertName(this.alert);
  }
}

/** The alert's RFC name, e.g. 50 → "decode_error". */
export function alertName(alert: number): string {
  return nameOf(AlertDescription, alert) ?? `alert(${alert})`;
}

/** The usual decoding failure (RFC 8446 §6.2: "a message could not be decoded"). */
export function decodeError(field: string, offset: number, message: string): TlsError {
  return new TlsError(AlertDescription.decode_error, message, { field, offset });
}

/** A value the peer sent that is well-formed but not allowed here (RFC 8446 §6.2 illegal_parameter). */
export function illegalParameter(field: string, message: string, offset?: number): TlsError {
  return new TlsError(AlertDescription.illegal_parameter, message, { field, offset });
}

/**
 * Thrown by every exercise stub in chapters/ until the learner replaces it.
 * `exercise` is the number, e.g. "01.3"; the grader and the command-line tool look up its TODO text.
 */
export class NotImplemented extends Error {
  readonly exercise: string;

  constructor(exercise: string) {
    super(`exercise ${exercise} is not done yet (see its // TODO ${exercise} comment in chapters/)`);
    this.name = "NotImplemented";
    this.exercise = exercise;
  }
}

/** True for a NotImplemented error, also one thrown by another copy of this module (tslab, scratch runs). */
export function isNotImplemented(e: unknown): e is NotImplemented {
  return e instanceof Error && e.name === "NotImplemented" && typeof (e as NotImplemented).exercise === "string";
}

/** True for a TlsError (or a CertificateError), also one thrown by another copy of this module. */
export function isTlsError(e: unknown): e is TlsError {
  return (
    e instanceof Error && (e.name === "TlsError" || e.name === "CertificateError") && typeof (e as TlsError).alert === "number"
  );
}

/** One check made while validating a certificate chain, in the order it was made. */
export interface CertificateCheck {
  /** Position in the validated path: 0 is the server's own certificate, the last is the trust anchor. */
  index: number;
  /** The certificate's subject, e.g. "CN=localhost". */
  subject: string;
  /** What was checked, e.g. "signature", "validity", "basicConstraints". */
  check: string;
  ok: boolean;
  /** What was found: "valid 2025-01-01 … 2125-01-01", "issuer CN=… is not a CA". */
  detail: string;
}

/**
 * A certificate chain that a client must refuse (RFC 8446 §4.4.2.4, RFC 5280 §6). It carries the alert the
 * client sends (bad_certificate, certificate_expired, unknown_ca, unsupported_certificate, …), which certificate
 * and which check failed, and every check made before it, so a tool can print the whole list.
 */
export class CertificateError extends TlsError {
  readonly certificate: string;
  readonly check: string;
  /** What the failed check found, e.g. "valid 2020-01-01 … 2029-01-01, checked at 2030-06-01". */
  readonly reason: string;
  readonly checks: CertificateCheck[];

  constructor(alert: number, failed: { subject: string; check: string; detail: string }, checks: CertificateCheck[] = []) {
    super(alert, `${failed.check} failed for ${failed.subject}: ${failed.detail}`, { field: failed.check });
    this.name = "CertificateError";
    this.certificate = failed.subject;
    this.check = failed.check;
    this.reason = failed.detail;
    this.checks = checks;
  }
}

/** True for a CertificateError, also one thrown by another copy of this module. */
export function isCertificateError(e: unknown): e is CertificateError {
  return isTlsError(e) && e.name === "CertificateError";
}
