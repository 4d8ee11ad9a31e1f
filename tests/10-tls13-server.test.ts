// Chapter 10: a TLS 1.3 server, graded against outside references only: RFC 8448's traces read from the server's side
// (the learner's server, given the trace's random values, must write the trace's messages byte for byte), Node's
// crypto for the signatures, and real clients on 127.0.0.1 that no one here wrote: `openssl s_client`, curl, Node's
// tls and https, headless Chromium, and the project's own client from chapters 08 and 09. The tests live in
// tests/10-tls13-server/, one file per part of the chapter; this file gathers them so that `npm run grade -- 10` runs
// them all.
import "./10-tls13-server/client-hello.js";
import "./10-tls13-server/hello-retry.js";
import "./10-tls13-server/signing.js";
import "./10-tls13-server/messages.js";
import "./10-tls13-server/rfc-replay.js";
import "./10-tls13-server/tickets.js";
import "./10-tls13-server/early-data.js";
import "./10-tls13-server/post-handshake.js";
import "./10-tls13-server/live.js";
import "./10-tls13-server/bad-input.js";
