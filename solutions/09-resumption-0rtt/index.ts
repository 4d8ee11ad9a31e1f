// Chapter 09: session resumption and 0-RTT early data. The notebook and the command-line tool import from here.
export * from "./psk-messages.js";
export * from "./ticket.js";
export * from "./binder.js";
export * from "./resumed.js";
export * from "./store.js";
export * from "./resume12.js";
export * from "./connect12.js";
export * from "./store12.js";
