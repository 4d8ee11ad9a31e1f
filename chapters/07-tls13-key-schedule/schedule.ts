// The TLS 1.3 key schedule, in three stages: early secret (from a PSK, or nothing), handshake secret (adds the
// (EC)DHE shared secret), master secret (adds nothing new, only the later transcript). Each stage holds only what
// is valid at that point and is made from the one before, so a secret cannot be used before its inputs exist.
// Read RFC 8446 §7.1 (the schedule), §4.2.11.2 (binders) and §7.5 (exporters).
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import type { HashName } from "../03-certificates/index.js";
import {
  LABEL_CLIENT_APPLICATION_TRAFFIC,
  LABEL_CLIENT_EARLY_TRAFFIC,
  LABEL_CLIENT_HANDSHAKE_TRAFFIC,
  LABEL_DERIVED,
  LABEL_EARLY_EXPORTER,
  LABEL_EXPORTER,
  LABEL_EXTERNAL_BINDER,
  LABEL_RESUMPTION_BINDER,
  LABEL_RESUMPTION_MASTER,
  LABEL_SERVER_APPLICATION_TRAFFIC,
  LABEL_SERVER_HANDSHAKE_TRAFFIC,
  deriveSecret,
  emptyHash,
  hkdfExtract,
  zeros,
} from "./hkdf.js";
import { NotImplemented } from "../../lib/errors.js";

// The whole schedule (RFC 8446 §7.1), drawn for this file. Going down, each Extract takes the secret above it
// (through a "derived" step) as its salt and a new input from the left; going right, Derive-Secret makes the
// secrets that are used, each bound to the transcript at that moment.
//
//   stage      input           salt / secret                     Derive-Secret(…, label, transcript)
//   -----      -----           -------------                     ---------------------------------------------
//                              0 (Hash.length zero bytes)
//                                 |
//   early      PSK or 0  --> HKDF-Extract = Early Secret  --+--> "ext binder" | "res binder"  ("")       binder key
//   (07.3)                        |                         +--> "c e traffic"   (ClientHello)           0-RTT data
//                                 |                         +--> "e exp master"  (ClientHello)           early exporter
//                          "derived" ("")
//                                 |
//   handshake  (EC)DHE   --> HKDF-Extract = Handshake Secret +--> "c hs traffic"  (ClientHello…ServerHello)
//   (07.4)                        |                          +--> "s hs traffic"  (ClientHello…ServerHello)
//                          "derived" ("")
//                                 |
//   application   0      --> HKDF-Extract = Master Secret  --+--> "c ap traffic"  (ClientHello…server Finished)
//   (07.5)                                                   +--> "s ap traffic"  (ClientHello…server Finished)
//                                                            +--> "exp master"    (ClientHello…server Finished)
//                                                            +--> "res master"    (ClientHello…client Finished)
//
// Two things to notice. The (EC)DHE secret enters in the middle: without a PSK, the early stage is a constant that
// every connection shares, and everything secret starts at the handshake secret. And the master secret's Extract
// adds nothing (0): the step exists so that application keys depend on a later transcript than handshake keys.

/** The first stage: what a PSK (or its absence) gives, valid from the ClientHello on. */
export interface EarlySecrets {
  readonly hash: HashName;
  readonly earlySecret: Uint8Array;
  /** RFC 8446 §7.1, §4.2.11.2: the key that proves, in the ClientHello, that the client holds the PSK. */
  binderKey(resumption: boolean): Uint8Array;
  /** The key of 0-RTT data (chapter 09); `clientHelloHash` is Transcript-Hash(ClientHello). */
  clientEarlyTrafficSecret(clientHelloHash: Uint8Array): Uint8Array;
  /** RFC 8446 §7.5: the exporter for 0-RTT data; `clientHelloHash` is Transcript-Hash(ClientHello). */
  earlyExporterMasterSecret(clientHelloHash: Uint8Array): Uint8Array;
}

/** The second stage: valid once the ServerHello has given both sides the shared secret. */
export interface HandshakeSecrets {
  readonly hash: HashName;
  readonly handshakeSecret: Uint8Array;
  /** Protects the client's handshake messages (its Finished, a client Certificate). */
  readonly clientHandshakeTrafficSecret: Uint8Array;
  /** Protects EncryptedExtensions, Certificate, CertificateVerify and the server's Finished. */
  readonly serverHandshakeTrafficSecret: Uint8Array;
}

/** The last stage: valid once the server's Finished is in the transcript. */
export interface ApplicationSecrets {
  readonly hash: HashName;
  readonly masterSecret: Uint8Array;
  /** Generation 0 of the client's application traffic secret; KeyUpdate moves it on (nextTrafficSecret). */
  readonly clientApplicationTrafficSecret: Uint8Array;
  readonly serverApplicationTrafficSecret: Uint8Array;
  /** RFC 8446 §7.5: what TLS-Exporter derives keys for other protocols from. */
  readonly exporterMasterSecret: Uint8Array;
}

/** The early stage (RFC 8446 §7.1): Early Secret = HKDF-Extract(0, PSK); without a PSK, the PSK is 0 too. */
export function earlySecrets(hash: HashName, psk?: Uint8Array): EarlySecrets {
  // TODO 07.3: earlySecret = hkdfExtract(hash, zeros(hash), psk ?? zeros(hash)): the salt is 0, the input the
  // PSK, or Hash.length zero bytes when there is none (a PSK of 0 bytes is a TlsError internal_error, field "psk").
  // Return an object with hash, earlySecret and three methods, each a deriveSecret from earlySecret:
  // binderKey(resumption) with LABEL_RESUMPTION_BINDER (true) or LABEL_EXTERNAL_BINDER (false) over emptyHash(hash);
  // clientEarlyTrafficSecret(h) with LABEL_CLIENT_EARLY_TRAFFIC over h; earlyExporterMasterSecret(h) with
  // LABEL_EARLY_EXPORTER over h. (RFC 8446 §7.1)
  throw new NotImplemented("07.3");
  // END 07.3
}

/**
 * The handshake stage (RFC 8446 §7.1):
 *   Handshake Secret = HKDF-Extract(Derive-Secret(Early Secret, "derived", ""), (EC)DHE)
 *   client/server_handshake_traffic_secret = Derive-Secret(Handshake Secret, "c hs traffic" / "s hs traffic",
 *                                                          ClientHello...ServerHello)
 */
export function handshakeSecrets(early: EarlySecrets, sharedSecret: Uint8Array, helloTranscriptHash: Uint8Array): HandshakeSecrets {
  // TODO 07.4: an empty sharedSecret is our bug (TlsError internal_error, field "shared secret"). The salt is
  // deriveSecret(early.hash, early.earlySecret, LABEL_DERIVED, emptyHash(early.hash)); handshakeSecret =
  // hkdfExtract(hash, that salt, sharedSecret). Then the two traffic secrets: deriveSecret from handshakeSecret with
  // LABEL_CLIENT_HANDSHAKE_TRAFFIC and LABEL_SERVER_HANDSHAKE_TRAFFIC over helloTranscriptHash (the hash of
  // ClientHello … ServerHello). Return { hash, handshakeSecret, clientHandshakeTrafficSecret,
  // serverHandshakeTrafficSecret }. (RFC 8446 §7.1)
  throw new NotImplemented("07.4");
  // END 07.4
}

/**
 * The application stage (RFC 8446 §7.1):
 *   Master Secret = HKDF-Extract(Derive-Secret(Handshake Secret, "derived", ""), 0)
 *   client/server_application_traffic_secret_0, exporter_master_secret = Derive-Secret(Master Secret,
 *       "c ap traffic" / "s ap traffic" / "exp master", ClientHello...server Finished)
 */
export function applicationSecrets(hs: HandshakeSecrets, serverFinishedTranscriptHash: Uint8Array): ApplicationSecrets {
  // TODO 07.5: salt = deriveSecret(hs.hash, hs.handshakeSecret, LABEL_DERIVED, emptyHash(hs.hash));
  // masterSecret = hkdfExtract(hash, salt, zeros(hash)) (nothing new goes in). Then deriveSecret from masterSecret
  // over serverFinishedTranscriptHash (ClientHello … the server's Finished) with LABEL_CLIENT_APPLICATION_TRAFFIC,
  // LABEL_SERVER_APPLICATION_TRAFFIC and LABEL_EXPORTER. Return { hash, masterSecret,
  // clientApplicationTrafficSecret, serverApplicationTrafficSecret, exporterMasterSecret }. (RFC 8446 §7.1)
  throw new NotImplemented("07.5");
  // END 07.5
}

/**
 *   resumption_master_secret = Derive-Secret(Master Secret, "res master", ClientHello...client Finished)
 * RFC 8446 §7.1. Each NewSessionTicket's PSK is derived from it (§4.6.1, chapter 09).
 */
export function resumptionMasterSecret(app: ApplicationSecrets, clientFinishedTranscriptHash: Uint8Array): Uint8Array {
  // TODO 07.5: deriveSecret(app.hash, app.masterSecret, LABEL_RESUMPTION_MASTER, clientFinishedTranscriptHash):
  // the one secret whose transcript also holds the client's Finished, because the tickets it backs are sent after
  // it. (RFC 8446 §7.1)
  throw new NotImplemented("07.5");
  // END 07.5
}
