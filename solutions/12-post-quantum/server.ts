// The server's side of a hybrid key share: it does not make a key pair of its own for the ML-KEM half, it
// encapsulates to the client's key and answers with the ciphertext. Chapter 10's server runs it through its
// config (keyShare); everything else in the handshake is chapter 10's. Read draft-ietf-tls-ecdhe-mlkem §3.2.
import { AlertDescription, NamedGroup } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import { type KeyPair, makeKeyPair } from "../01-client-hello/index.js";
import type { ServerChoice } from "../02-server-hello/index.js";
import { ecdhePremaster } from "../05-dhe-key-exchange/index.js";
import { SERVER_GROUPS, type ServerKeyShare, type Tls13ServerConfig, serverKeyShare } from "../10-tls13-server/index.js";
import { combineSecrets, hybridLayout, isHybrid, joinShare, splitShare } from "./hybrid.js";
import { mlkemEncapsulate } from "./kem.js";

/** The groups of a post-quantum server, best first: the hybrids, then chapter 10's ECDHE groups. */
export const PQ_SERVER_GROUPS: readonly number[] = [NamedGroup.X25519MLKEM768, NamedGroup.SecP256r1MLKEM768, ...SERVER_GROUPS];

/**
 * The server's key share and shared secret (chapter 10's serverKeyShare, for every group): for a hybrid group,
 * encapsulate to the client's ML-KEM key and do the ECDH with a fresh pair from `makePair`; for an ECDHE group,
 * chapter 10's serverKeyShare. `message` fixes ML-KEM's randomness, for known-answer tests only.
 */
export function hybridServerKeyShare(choice: ServerChoice, makePair: (group: number) => KeyPair = makeKeyPair, message?: Uint8Array): ServerKeyShare {
  // EXERCISE 12.5: 1. Not a hybrid group (isHybrid): return serverKeyShare(choice, makePair) (chapter 10). 2. No client
  // share in the group: internal_error, field "key_share" (a HelloRetryRequest was due). 3. { mlkem: encapsulation
  // key, ecdh: client's public value } = splitShare(group, "client", its key_exchange). 4. { ciphertext, sharedSecret }
  // = mlkemEncapsulate(encapsulation key, message) (it checks the key: illegal_parameter). 5. ecdh = makePair(the
  // layout's ecdhGroup); its secret = ecdhePremaster(ecdhGroup, ecdh.privateKey, client's public value). 6. Return
  // { keyPair: { group, publicKey: joinShare(group, "server", { mlkem: ciphertext, ecdh: ecdh.publicKey }), privateKey:
  // ecdh.privateKey }, sharedSecret: combineSecrets(group, { mlkem, ecdh }) }.
  const group = choice.group;
  if (group === undefined || !isHybrid(group)) return serverKeyShare(choice, makePair);
  const share = choice.keyShare;
  if (share === undefined) throw new TlsError(AlertDescription.internal_error, "no client key share in the chosen group", { field: "key_share" });
  const layout = hybridLayout(group);
  const { mlkem: encapsulationKey, ecdh: clientPublic } = splitShare(group, "client", share.keyExchange);
  const { ciphertext, sharedSecret: mlkem } = mlkemEncapsulate(encapsulationKey, message);
  const ecdhPair = makePair(layout.ecdhGroup);
  const ecdh = ecdhePremaster(layout.ecdhGroup, ecdhPair.privateKey, clientPublic);
  const publicKey = joinShare(group, "server", { mlkem: ciphertext, ecdh: ecdhPair.publicKey });
  return { keyPair: { group, publicKey, privateKey: ecdhPair.privateKey }, sharedSecret: combineSecrets(group, { mlkem, ecdh }) };
  // END 12.5
}

/** Chapter 10's server config made post-quantum: the hybrid groups first (unless `groups` is given), our key share. */
export function pqServerConfig(config: Tls13ServerConfig): Tls13ServerConfig {
  return { ...config, groups: config.groups ?? PQ_SERVER_GROUPS, keyShare: (choice, makePair) => hybridServerKeyShare(choice, makePair) };
}
