// Chapter 11: a TLS 1.2 server, graded against outside references only: the recorded connection of tls12.xargs.org
// read from the server's side (given the recorded server's key, random and ephemeral key, the learner's server must
// write the recorded messages byte for byte), Node's crypto for signatures, RSA and the records, and real clients on
// 127.0.0.1 that no one here wrote: `openssl s_client`, curl, Node's tls and https, and the project's own client from
// chapter 06. The tests live in tests/11-tls12-server/, one file per part of the chapter; this file gathers them so
// that `npm run grade -- 11` runs them all.
import "./11-tls12-server/client-hello.js";
import "./11-tls12-server/signing.js";
import "./11-tls12-server/replay.js";
import "./11-tls12-server/finished.js";
import "./11-tls12-server/session.js";
import "./11-tls12-server/handshake.js";
import "./11-tls12-server/live.js";
import "./11-tls12-server/bad-input.js";
import "./11-tls12-server/client-credential.js";
import "./11-tls12-server/any-version.js";
