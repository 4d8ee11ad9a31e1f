// Chapter 12: the post-quantum hybrid key share, graded against outside references only: draft-ietf-tls-ecdhe-mlkem's
// text (sizes, orders, code points), ML-KEM-768 known answers from kyber-py, Node's crypto for X25519 and P-256, and
// tlslite-ng (a pure-Python TLS library no one here wrote) on 127.0.0.1, as a server for our client and a client for
// our server. The tests live in tests/12-post-quantum/; this file gathers them so that `npm run grade -- 12` runs them.
import "./12-post-quantum/hybrid.js";
import "./12-post-quantum/keys.js";
import "./12-post-quantum/offer.js";
import "./12-post-quantum/live.js";
