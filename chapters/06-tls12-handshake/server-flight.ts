// The server's flight of a TLS 1.2 handshake after its ServerHello, a step of the client's script (handshake.ts):
// its Certificate, for (EC)DHE its signed ServerKeyExchange, perhaps a CertificateRequest, and ServerHelloDone.
// Graded on its own against recorded connections. Read RFC 5246 §7.4.2–§7.4.5 and RFC 8422 §5.4.
// Your copy of this chapter: replace each `throw new NotImplemented(…)` between a TODO and its END line.
import { AlertDescription, HANDSHAKE_HEADER_LENGTH, HandshakeType, NamedGroup, ProtocolVersion, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES } from "../01-client-hello/index.js";
import { type Certificate, type PublicKey, type Validation, decodeCertificate, parseCertificates, validateChain } from "../03-certificates/index.js";
import { type ServerKeyExchange, checkDhParams, decodeServerKeyExchange, verifyServerKeyExchange } from "../05-dhe-key-exchange/index.js";
import type { Tls12Options } from "./handshake.js";
import { checkKeyForSuite, expectMessage } from "./shared.js";
import type { Hello12 } from "./hellos.js";
import type { Tls12RecordLayer } from "./record-layer.js";
import { NotImplemented } from "../../lib/errors.js";

/** Who the server is and its key exchange values, as its flight told us. */
export interface ServerFlight12 {
  /** The certificates the server sent, its own first. */
  serverCertificates: Certificate[];
  /** The validated path and every check made on it. */
  validation: Validation;
  /** The leaf's key, checked to fit the suite. */
  serverKey: PublicKey;
  /** The server's signed DH or ECDH values; absent for RSA key exchange. */
  serverKeyExchange?: ServerKeyExchange;
  /** DHE: the server's parameters, checked (chapter 05). */
  dh?: { p: bigint; g: bigint; ys: bigint };
  /** True when a CertificateRequest came: we answer with a Certificate (RFC 5246 §7.4.6). */
  certificateRequested: boolean;
  /** The CertificateRequest message as it came (client-auth.ts reads it, 06.15–06.16); absent when none came. */
  certificateRequest?: Uint8Array;
}

/** Reads Certificate, ServerKeyExchange (DHE and ECDHE only), an optional CertificateRequest, and ServerHelloDone. */
export async function readServerFlight12(
  records: Tls12RecordLayer,
  hello: Hello12,
  options: Pick<Tls12Options, "ca" | "servername" | "at" | "groups" | "signatureSchemes">,
): Promise<ServerFlight12> {
  // TODO 06.8: check the ServerKeyExchange's signature BEFORE using its values: until then they are anyone's.
  // 1. Certificate: decodeCertificate(expectMessage(…, certificate), TLS 1.2); parseCertificates; validateChain(…,
  //    { roots: options.ca, host: options.servername, at: options.at }); serverKey = checkKeyForSuite(hello.suite, leaf).
  // 2. Not RSA key exchange: ServerKeyExchange = decodeServerKeyExchange(…, "dhe" for DHE_RSA, else "ecdhe");
  //    verifyServerKeyExchange(it, client random, server random, serverKey, our signature schemes (default
  //    DEFAULT_SIGNATURE_SCHEMES)). Then DHE: dh = checkDhParams(its params); ECDHE: a curve we did not offer (groups,
  //    default DEFAULT_GROUPS) is illegal_parameter, field "named_curve".
  // 3. Next message: a certificate_request? Keep it (certificateRequest: the message as it came), read the next. It must be server_hello_done, with an empty body
  //    (decode_error, field "server_hello_done"). Return the ServerFlight12.
  throw new NotImplemented("06.8");
  // END 06.8
}
