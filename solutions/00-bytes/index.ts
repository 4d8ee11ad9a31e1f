// Chapter 00: the bytes under every TLS message. The notebook and the later chapters import from here.
export * from "./presentation.js";
export * from "./records.js";
