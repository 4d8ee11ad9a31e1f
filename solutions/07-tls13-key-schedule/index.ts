// Chapter 07: the TLS 1.3 key schedule. The notebook, the command-line tool and chapter 08's handshake import from here.
export * from "./hkdf.js";
export * from "./transcript.js";
export * from "./schedule.js";
export * from "./keys.js";
export * from "./keylog.js";
