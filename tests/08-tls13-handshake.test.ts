// Chapter 08: a TLS 1.3 handshake with real servers, graded against outside references only. Each step of the
// handshake (08.9–08.16) alone on recorded inputs (steps.ts), then the whole client (08.17): Node's crypto (AES-GCM,
// ChaCha20-Poly1305, HMAC) for the records, RFC 8448's traces and the recorded tls13.xargs.org connection (replayed
// through the learner's client, which must write their records byte for byte), and real servers on 127.0.0.1: Node's
// tls and `openssl s_server`, whose own key logs must equal ours line for line. A proxy re-cuts and tampers with what
// the servers send. The tests live in tests/08-tls13-handshake/, one file per part of the chapter; this file gathers
// them so that `npm run grade -- 08` runs them all.
import "./08-tls13-handshake/record-protection.js";
import "./08-tls13-handshake/wycheproof-aead.js";
import "./08-tls13-handshake/messages.js";
import "./08-tls13-handshake/rfc8448.js";
import "./08-tls13-handshake/illustrated.js";
import "./08-tls13-handshake/framing.js";
import "./08-tls13-handshake/steps.js";
import "./08-tls13-handshake/post-handshake.js";
import "./08-tls13-handshake/live.js";
import "./08-tls13-handshake/live-keys.js";
import "./08-tls13-handshake/tampering.js";
import "./08-tls13-handshake/client-auth.js";
import "./08-tls13-handshake/any-version.js";
import "./08-tls13-handshake/interop.js";
import "./08-tls13-handshake/peers.js";
