// The two directions of a connection's records, from the server's side. The records themselves are chapter 06's:
// AES-GCM (06.1–06.3) and ChaCha20-Poly1305 (06.14, RFC 7905), which chapter 06's directionState picks by the IV's
// length (4 bytes of salt for GCM, a 12-byte IV for ChaCha20). A server protects its records exactly as a client does;
// only the keys swap: it writes with the server_write keys and reads with the client's. Read RFC 5246 §6.3.
import type { HashName } from "../03-certificates/index.js";
import { type KeyBlock, keyBlock, keyBlockParams } from "../04-rsa-key-exchange/index.js";
import { type DirectionState, directionState } from "../06-tls12-handshake/index.js";

/** A connection's keys from the server's side: the key block and, cut from it, how each direction's records are protected. */
export interface SessionKeys12 {
  keys: KeyBlock;
  /** What the client sends: the server opens it. */
  client: DirectionState;
  /** What the server sends. */
  server: DirectionState;
}

/** The key block for this connection's randoms (RFC 5246 §6.3), cut into the two directions. */
export function sessionKeys12(cipherSuite: number, hash: HashName, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): SessionKeys12 {
  // EXERCISE 11.9: keys = chapter 04's keyBlock(hash, master, clientRandom, serverRandom, keyBlockParams(cipherSuite));
  // client = chapter 06's directionState(client_write_key, client_write_IV), server = directionState(server_write_key,
  // server_write_IV) (a 12-byte IV makes it a ChaCha20-Poly1305 direction, 06.14). The server READS with the client's
  // keys and WRITES with its own: the same key block as the client's, the directions swapped. A resumed session calls
  // this too, with the old master and the new randoms.
  const keys = keyBlock(hash, master, clientRandom, serverRandom, keyBlockParams(cipherSuite));
  return { keys, client: directionState(keys.clientKey, keys.clientIv), server: directionState(keys.serverKey, keys.serverIv) };
  // END 11.9
}
