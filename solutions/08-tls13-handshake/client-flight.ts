// The client's second flight of a TLS 1.3 handshake, the last step of the script (handshake.ts): an empty Certificate
// if the server asked for one, our Finished, and the switch to the application keys. Graded on its own against
// RFC 8448. Read RFC 8446 §4.4.2 (an empty Certificate), §4.4.4 (Finished) and §7.1 (the resumption master secret).
import { ProtocolVersion } from "../../lib/constants.js";
import { encodeCertificate } from "../03-certificates/index.js";
import { finishedVerifyData, resumptionMasterSecret } from "../07-tls13-key-schedule/index.js";
import type { Hellos } from "./hellos.js";
import { type CertificateRequest, encodeFinished13 } from "./messages.js";
import { direction13 } from "./record-protection.js";
import type { Tls13RecordLayer } from "./record-layer.js";
import type { ApplicationKeys, HandshakeKeys } from "./server-flight.js";

/**
 * Our answer to the server's flight: an empty Certificate if it sent a CertificateRequest and is given it here (the
 * script answers a CertificateRequest itself now, with our certificate if we have one: client-auth.ts, 08.21; chapter
 * 09's resumed handshake still passes it), then our Finished, both under our handshake keys; then our application keys. Returns the resumption master secret,
 * from which every session ticket's PSK is derived (RFC 8446 §7.1, chapter 09).
 */
export function sendClientFinished(records: Tls13RecordLayer, hellos: Hellos, keys: HandshakeKeys, app: ApplicationKeys, certificateRequest?: CertificateRequest): Uint8Array {
  // EXERCISE 08.16: our Finished goes under our HANDSHAKE keys; only after it do we switch to the application keys.
  // 1. A certificateRequest? Send encodeCertificate({ requestContext: its context, entries: [] }, TLS 1.3), add it.
  // 2. finished = encodeFinished13(finishedVerifyData(keys.hash, keys.secrets.clientHandshakeTrafficSecret,
  //    transcript.hash())): it covers the server's Finished too. Send it, add it to the transcript.
  // 3. records.setWriteKeys(direction13(keys.aead, app.keys.client, "client application traffic")).
  // 4. Return resumptionMasterSecret(app.secrets, transcript.hash()): the transcript now ends with our Finished.
  const { transcript } = hellos;
  if (certificateRequest !== undefined) {
    const empty = encodeCertificate({ requestContext: certificateRequest.context, entries: [] }, ProtocolVersion.TLS1_3);
    records.sendHandshake(empty);
    transcript.add(empty);
  }
  const finished = encodeFinished13(finishedVerifyData(keys.hash, keys.secrets.clientHandshakeTrafficSecret, transcript.hash()));
  records.sendHandshake(finished);
  transcript.add(finished);
  records.setWriteKeys(direction13(keys.aead, app.keys.client, "client application traffic"));
  return resumptionMasterSecret(app.secrets, transcript.hash());
  // END 08.16
}
