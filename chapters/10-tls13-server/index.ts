// Chapter 10: a TLS 1.3 server. The notebook, the command-line tool (`serve`) and the benchmark import from here.
export * from "./credentials.js";
export * from "./config.js";
export * from "./client-hello.js";
export * from "./hello-retry.js";
export * from "./sign.js";
export * from "./server-messages.js";
export * from "./tickets.js";
export * from "./psk.js";
export * from "./anti-replay.js";
export * from "./early-data.js";
export * from "./post-handshake.js";
export * from "./handshake.js";
export * from "./connection.js";
export * from "./accept.js";
export * from "./http.js";
export * from "./server.js";
