// The hellos of a TLS 1.2 handshake, as steps of the client's script (handshake.ts): our ClientHello, and the
// server's answer checked against it. Each step is graded on its own against a recorded connection. Read RFC 5246
// §7.4.1 (the hellos), RFC 7627 §5 (the extended master secret's negotiation) and RFC 6066 §3 (server_name).
import { AlertDescription, type CipherSuiteInfo, HandshakeType, cipherSuites, describeSuite } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { type ClientHello, DEFAULT_GROUPS, DEFAULT_SIGNATURE_SCHEMES, encodeClientHello, makeClientHello } from "../01-client-hello/index.js";
import { type ServerHello, checkServerHello, decodeServerHello, findServerExtension } from "../02-server-hello/index.js";
import type { HashName } from "../03-certificates/index.js";
import { prfHash } from "../04-rsa-key-exchange/index.js";
import type { Tls12Options } from "./handshake.js";
import { TLS12_SUITES, expectMessage, sniFor } from "./shared.js";
import type { Tls12RecordLayer } from "./record-layer.js";

/** What the hellos settled: our offer, the server's choice, and what follows from it. */
export interface Hello12 {
  clientHello: ClientHello;
  serverHello: ServerHello;
  cipherSuite: number;
  /** The suite's key exchange, cipher and hash, as lib/constants.ts describes it. */
  suite: CipherSuiteInfo;
  /** The PRF's hash: SHA-256, or SHA-384 for the _SHA384 suites. */
  hash: HashName;
  /** True when the server echoed extended_master_secret (RFC 7627): the master secret then hashes the transcript. */
  extendedMasterSecret: boolean;
}

/** Builds our ClientHello from the options (or takes options.fixed's) and sends it. Returns what was sent. */
export function sendClientHello12(records: Tls12RecordLayer, options: Tls12Options): ClientHello {
  // EXERCISE 06.6: everything the server may choose must be in this offer: it is all we will accept.
  // 1. options.fixed?.clientHello if there is one (tests replay a recording with it).
  // 2. Else makeClientHello({ version: "1.2", serverName: sniFor(options.servername), cipherSuites (default
  //    [...TLS12_SUITES]), groups (default DEFAULT_GROUPS), signatureSchemes (default DEFAULT_SIGNATURE_SCHEMES) }).
  // 3. options.extendedMasterSecret === false: drop the extended_master_secret extension from its extensions.
  // 4. records.sendHandshake(encodeClientHello(clientHello)) (it joins the transcript there); return the ClientHello.
  let clientHello = options.fixed?.clientHello;
  if (clientHello === undefined) {
    clientHello = makeClientHello({
      version: "1.2",
      serverName: sniFor(options.servername),
      cipherSuites: options.cipherSuites ?? [...TLS12_SUITES],
      groups: options.groups ?? DEFAULT_GROUPS,
      signatureSchemes: options.signatureSchemes ?? DEFAULT_SIGNATURE_SCHEMES,
    }).clientHello;
    if (options.extendedMasterSecret === false) {
      clientHello.extensions = clientHello.extensions.filter((e) => e.kind !== "extended_master_secret");
    }
  }
  records.sendHandshake(encodeClientHello(clientHello));
  return clientHello;
  // END 06.6
}

/** Reads the ServerHello and checks it against what we offered (RFC 5246 §7.4.1.3). */
export async function processServerHello12(records: Tls12RecordLayer, clientHello: ClientHello): Promise<Hello12> {
  // EXERCISE 06.7: accept only what we offered, and a suite this client can run.
  // 1. serverHello = decodeServerHello(expectMessage(await records.readHandshake(), HandshakeType.server_hello)).
  // 2. cipherSuite = checkServerHello(clientHello, serverHello).cipherSuite (chapter 02).
  // 3. suite = cipherSuites.get(cipherSuite); not a TLS 1.2 suite in TLS12_SUITES: illegal_parameter, field
  //    "cipher_suite" (we may have offered more than we run, but never accept one we cannot).
  // 4. hash = prfHash(cipherSuite) (chapter 04); extendedMasterSecret = the ServerHello echoes extended_master_secret.
  const serverHello = decodeServerHello(expectMessage(await records.readHandshake(), HandshakeType.server_hello));
  const { cipherSuite } = checkServerHello(clientHello, serverHello);
  const suite = cipherSuites.get(cipherSuite);
  if (suite === undefined || suite.version !== "TLS 1.2" || !TLS12_SUITES.includes(cipherSuite)) {
    throw new TlsError(AlertDescription.illegal_parameter, `${describeSuite(cipherSuite)} is not a suite this client can run`, { field: "cipher_suite" });
  }
  // RFC 7627 §5.2: the server agrees by echoing the (empty) extension; checkServerHello made sure we offered it.
  const extendedMasterSecret = findServerExtension(serverHello.extensions, "extended_master_secret") !== undefined;
  return { clientHello, serverHello, cipherSuite, suite, hash: prfHash(cipherSuite), extendedMasterSecret };
  // END 06.7
}
