// Chapter 02: ServerHello. The notebook and the later chapters import from here.
export * from "./server-extensions.js";
export * from "./server-hello.js";
export * from "./negotiate.js";
