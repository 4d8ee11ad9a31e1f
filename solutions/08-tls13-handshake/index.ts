// Chapter 08: a TLS 1.3 handshake with real servers. The notebook, the command-line tool and the benchmark import from here.
export * from "./record-protection.js";
export * from "./encrypted-extensions.js";
export * from "./certificate-verify.js";
export * from "./post-handshake.js";
export * from "./messages.js";
export * from "./record-layer.js";
export * from "./hellos.js";
export * from "./server-flight.js";
export * from "./client-flight.js";
export * from "./client-auth.js";
export * from "./handshake.js";
export * from "./trace.js";
export * from "./any-version.js";
