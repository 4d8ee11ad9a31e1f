// Chapter 06: a TLS 1.2 handshake with real servers, graded against outside references only: Node's crypto
// (AES-GCM, HMAC) for the record protection and the PRF, the recorded illustrated-tls12 connection (its key log
// and its decrypted records), four connections recorded with openssl s_server (tests/vectors/recorded-tls12), on
// which each step of the handshake (06.6–06.12) runs alone (steps.ts), and real servers on 127.0.0.1: Node's tls and `openssl s_server`, whose own key logs
// must hold the master secret our client derived, and servers no one here wrote (gnutls-serv, nginx: peers.ts). A small
// proxy re-cuts and tampers with what the servers send.
// The tests live in tests/06-tls12-handshake/, one file per part of the chapter; this file gathers them so that
// `npm run grade -- 06` runs them all.
import "./06-tls12-handshake/record-protection.js";
import "./06-tls12-handshake/record-layer.js";
import "./06-tls12-handshake/illustrated.js";
import "./06-tls12-handshake/steps.js";
import "./06-tls12-handshake/live.js";
import "./06-tls12-handshake/live-keys.js";
import "./06-tls12-handshake/framing.js";
import "./06-tls12-handshake/tampering.js";
import "./06-tls12-handshake/client-auth.js";
import "./06-tls12-handshake/chacha20.js";
import "./06-tls12-handshake/peers.js";
