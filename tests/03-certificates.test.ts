// Chapter 03: certificates, graded against outside references only: hand-checked X.690 encodings and the
// `openssl asn1parse` encoder (DER), Node's crypto.X509Certificate and `openssl x509` (parsing), Wycheproof
// (RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256, Ed25519, RSA-PSS keys with parameters), signatures made by Node's crypto, `openssl verify` on a test PKI
// (path building and every check of validation, one step at a time and whole), x509-limbo's 135 cases, RFC 8448's
// certificates, and the chains real servers on 127.0.0.1 send.
// The tests live in tests/03-certificates/, one file per part of the chapter; this file gathers them so that
// `npm run grade -- 03` runs them all.
import "./03-certificates/der.js";
import "./03-certificates/x509.js";
import "./03-certificates/signatures.js";
import "./03-certificates/keys.js";
import "./03-certificates/hosts.js";
import "./03-certificates/paths.js";
import "./03-certificates/checks.js";
import "./03-certificates/validate.js";
import "./03-certificates/limbo.js";
import "./03-certificates/message.js";
