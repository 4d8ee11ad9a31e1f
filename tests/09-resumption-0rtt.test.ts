// Chapter 09: session resumption and 0-RTT early data, graded against outside references only: RFC 8448 §4 (parsed from
// the RFC text, starting from §3's ticket) replayed through the learner's client, Node's crypto for the key schedule in
// property tests, and real servers on 127.0.0.1: `openssl s_server -tls1_3 -early_data` (which prints the early data it
// reads and logs CLIENT_EARLY_TRAFFIC_SECRET), s_server without -early_data, and Node's tls server (session reuse).
import "./09-resumption-0rtt/rfc8448.js";
import "./09-resumption-0rtt/steps.js";
import "./09-resumption-0rtt/codecs.js";
import "./09-resumption-0rtt/store.js";
import "./09-resumption-0rtt/live.js";
import "./09-resumption-0rtt/nginx.js";
