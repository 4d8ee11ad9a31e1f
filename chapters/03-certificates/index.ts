// Chapter 03: certificates. The notebook, the command-line tool and the later chapters import from here.
export * from "./der.js";
export * from "./x509.js";
export * from "./hashes.js";
export * from "./rsa.js";
export * from "./ecdsa.js";
export * from "./eddsa.js";
export * from "./pss-keys.js";
export * from "./chain.js";
export * from "./certificate-message.js";
export * from "./forgery.js";
