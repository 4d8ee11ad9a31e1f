// Chapter 01: ClientHello. The notebook and the later chapters import from here.
export * from "./extensions.js";
export * from "./client-hello.js";
export * from "./offer.js";
