// Chapter 05: DHE and ECDHE key exchange, graded against outside references only: RFC 7919's primes parsed from the
// RFC text and the groups `openssl genpkey` names, Node's crypto (DH, ECDH, X25519, signatures), Wycheproof's X25519
// and P-256 ECDH vectors, the recorded TLS 1.2 connection of tls12.xargs.org, and real TLS 1.2 servers on 127.0.0.1
// (Node's tls and `openssl s_server`) whose key logs give the master secret our premaster must lead to.
// The tests live in tests/05-dhe-key-exchange/, one file per part of the chapter; this file gathers them so that
// `npm run grade -- 05` runs them all.
import "./05-dhe-key-exchange/server-key-exchange.js";
import "./05-dhe-key-exchange/signature.js";
import "./05-dhe-key-exchange/ffdhe.js";
import "./05-dhe-key-exchange/ecdhe.js";
import "./05-dhe-key-exchange/client-key-exchange.js";
import "./05-dhe-key-exchange/live.js";
