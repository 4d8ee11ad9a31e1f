// Chapter 12: the post-quantum hybrid key share (X25519MLKEM768, SecP256r1MLKEM768) on both sides of chapter 08's
// client and chapter 10's server. The notebook, the command-line tool and the benchmark import from here.
export * from "./kem.js";
export * from "./hybrid.js";
export * from "./client.js";
export * from "./server.js";
