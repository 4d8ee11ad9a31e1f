// Chapter 11: a TLS 1.2 server. The notebook, the command-line tool (`serve`) and the benchmark import from here.
export * from "./config.js";
export * from "./client-hello.js";
export * from "./server-hello.js";
export * from "./sign.js";
export * from "./key-exchange.js";
export * from "./record-protection.js";
export * from "./finished.js";
export * from "./session.js";
export * from "./handshake.js";
export * from "./accept.js";
export * from "./client-credential.js";
