// Chapter 06: a TLS 1.2 handshake with real servers. The notebook, the command-line tool and the benchmark import from here.
export * from "./record-protection.js";
export * from "./finished.js";
export * from "./transport.js";
export * from "./record-layer.js";
export * from "./shared.js";
export * from "./handshake.js";
export * from "./hellos.js";
export * from "./server-flight.js";
export * from "./key-exchange.js";
export * from "./finish.js";
export * from "./client-auth.js";
export * from "./trace.js";
