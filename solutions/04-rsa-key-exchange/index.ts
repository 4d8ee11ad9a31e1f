// Chapter 04: RSA key exchange, the TLS 1.2 PRF and the session keys. The notebook, the command-line tool and
// the later chapters import from here.
export * from "./premaster.js";
export * from "./rsa-encrypt.js";
export * from "./rsa-decrypt.js";
export * from "./prf.js";
