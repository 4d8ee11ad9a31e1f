// Names for the fields of the key-exchange messages of chapters 04 and 05 (ClientKeyExchange, ServerKeyExchange),
// read with the REFERENCE codecs in solutions/, for failure messages only (see structures.ts, expect-bytes.ts).
// Kept apart from structures.ts so that the tests of chapters 00–02 do not load chapters 03–05.

import { readClientKeyExchangeRsaMessage } from "../../solutions/04-rsa-key-exchange/index.js";
import { readClientKeyExchangeDh, readClientKeyExchangeEcdh, readServerKeyExchangeMessage } from "../../solutions/05-dhe-key-exchange/index.js";
import { readHandshake } from "../../solutions/00-bytes/index.js";
import { annotateWith, type Structure } from "./expect-bytes.js";

/** A whole ServerKeyExchange message (RFC 5246 §7.4.3, RFC 8422 §5.4), DHE or ECDHE. */
export const serverKeyExchange =
  (kind: "dhe" | "ecdhe"): Structure =>
  (bytes) =>
    annotateWith(bytes, (r) => readServerKeyExchangeMessage(r, kind));

/** A whole ClientKeyExchange message: RSA (RFC 5246 §7.4.7.1), DHE (§7.4.7.2) or ECDHE (RFC 8422 §5.7). */
export const clientKeyExchange =
  (kind: "rsa" | "dhe" | "ecdhe"): Structure =>
  (bytes) =>
    annotateWith(bytes, (r) => {
      if (kind === "rsa") return readClientKeyExchangeRsaMessage(r);
      const { body } = readHandshake(r);
      if (kind === "dhe") readClientKeyExchangeDh(body);
      else readClientKeyExchangeEcdh(body);
      body.end("client_key_exchange");
    });
