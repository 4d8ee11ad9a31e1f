// After the handshake, the client may send one kind of handshake message to a server that asked for nothing more:
// KeyUpdate. The server follows it (reads with the client's next keys) and answers it when asked. Chapter 08 did
// the same for the client; here the directions are swapped. Read RFC 8446 §4.6 and §4.6.3 (KeyUpdate), §7.2.
import { AlertDescription, HandshakeType, describeCode } from "../../lib/constants.js";
import { TlsError } from "../../lib/errors.js";
import type { HashName } from "../03-certificates/index.js";
import { type Aead13, nextTrafficSecret, trafficKeys } from "../07-tls13-key-schedule/index.js";
import { type Tls13RecordLayer, decodeKeyUpdate, direction13, encodeKeyUpdate } from "../08-tls13-handshake/index.js";

/** The current application traffic secrets of a server's connection: they change with each KeyUpdate. */
export interface ServerTrafficState {
  records: Tls13RecordLayer;
  hash: HashName;
  aead: Aead13;
  /** Ours (what we send under), generation N, and the client's. */
  serverTrafficSecret: Uint8Array;
  clientTrafficSecret: Uint8Array;
}

/** Sends a KeyUpdate under the current keys, then moves our sending keys to the next generation (RFC 8446 §4.6.3). */
export function sendServerKeyUpdate(state: ServerTrafficState, requestPeer: boolean): void {
  // EXERCISE 10.21: chapter 08's sendKeyUpdate with the directions swapped: send encodeKeyUpdate({ updateRequested:
  // requestPeer }) under the OLD keys (the client reads it with the keys it has), then serverTrafficSecret =
  // nextTrafficSecret(hash, it) and records.setWriteKeys(direction13(aead, trafficKeys(hash, aead, the new secret),
  // "server application traffic")): the label names the keys in the trace.
  state.records.sendHandshake(encodeKeyUpdate({ updateRequested: requestPeer }));
  state.serverTrafficSecret = nextTrafficSecret(state.hash, state.serverTrafficSecret);
  state.records.setWriteKeys(direction13(state.aead, trafficKeys(state.hash, state.aead, state.serverTrafficSecret), "server application traffic"));
  // END 10.21
}

/** A handshake message from the client after its Finished (RFC 8446 §4.6): only a KeyUpdate is allowed. */
export function handleClientPostHandshake(state: ServerTrafficState, message: Uint8Array): void {
  // EXERCISE 10.21: anything but key_update is unexpected_message (this server sent no CertificateRequest, and a
  // client sends no tickets), field "handshake type". A KeyUpdate (decodeKeyUpdate: its one byte must be 0 or 1):
  // the client now sends under its next secret, so clientTrafficSecret = nextTrafficSecret(…) and
  // records.setReadKeys(…) (which refuses if a message straddles the change). If it asked (updateRequested), answer
  // with sendServerKeyUpdate(state, false) before any more data goes out; never answer one that did not ask, or two
  // peers that both answer would update each other forever (§4.6.3).
  if (message[0] !== HandshakeType.key_update) {
    throw new TlsError(AlertDescription.unexpected_message, `${describeCode(HandshakeType, message[0] ?? -1, 2)} from a client after the handshake (RFC 8446 §4.6)`, {
      field: "handshake type",
      offset: 0,
    });
  }
  const { updateRequested } = decodeKeyUpdate(message);
  state.clientTrafficSecret = nextTrafficSecret(state.hash, state.clientTrafficSecret);
  state.records.setReadKeys(direction13(state.aead, trafficKeys(state.hash, state.aead, state.clientTrafficSecret), "client application traffic"));
  if (updateRequested) sendServerKeyUpdate(state, false);
  // END 10.21
}
