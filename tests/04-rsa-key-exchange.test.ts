// Chapter 04: RSA key exchange, the TLS 1.2 PRF and the session keys, graded against outside references only:
// OpenSSL through Node's crypto (keys, PKCS #1 v1.5 encryption, raw RSA) and the `openssl` command (`pkeyutl
// -decrypt`, `kdf TLS1-PRF`), the IETF TLS WG PRF vectors and NIST ACVP's master-secret / key-block cases, the
// recorded TLS 1.2 connection of tls12.xargs.org, and real TLS 1.2 servers and clients on 127.0.0.1 whose key
// logs give their master secrets. The tests live in tests/04-rsa-key-exchange/, one file per part of the chapter;
// this file gathers them so that `npm run grade -- 04` runs them all.
import "./04-rsa-key-exchange/premaster.js";
import "./04-rsa-key-exchange/rsa.js";
import "./04-rsa-key-exchange/message.js";
import "./04-rsa-key-exchange/prf.js";
import "./04-rsa-key-exchange/live.js";
