// Chapter 05: DHE and ECDHE key exchange. The notebook, the command-line tool and the later chapters import from here.
export * from "./server-key-exchange.js";
export * from "./ffdhe.js";
export * from "./ecdhe.js";
export * from "./client-key-exchange.js";
