// Chapter 07: the TLS 1.3 key schedule, graded against outside references only: the RFC 8448 traces (parsed from
// the RFC text: every secret, key, IV and Finished value they print, from the shared secrets and handshake messages
// they print), the recorded TLS_AES_256_GCM_SHA384 connection of tls13.xargs.org (its page's values, its key log,
// and its encrypted records, which must decrypt under the derived keys), Wycheproof's HKDF vectors, and HKDF-Expand-
// Label written again on Node's crypto. The tests live in tests/07-tls13-key-schedule/, one file per part of the
// chapter; this file gathers them so that `npm run grade -- 07` runs them all.
import "./07-tls13-key-schedule/hkdf.js";
import "./07-tls13-key-schedule/transcript.js";
import "./07-tls13-key-schedule/rfc8448.js";
import "./07-tls13-key-schedule/illustrated.js";
import "./07-tls13-key-schedule/keys.js";
