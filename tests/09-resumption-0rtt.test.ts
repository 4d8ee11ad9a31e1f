// Chapter 09: session resumption and 0-RTT early data, graded against outside references only: RFC 8448 §4 (parsed from
// the RFC text, starting from §3's ticket) replayed through the learner's client, Node's crypto for the key schedule in
// property tests, and real servers on 127.0.0.1: `openssl s_server -tls1_3 -early_data` (which prints the early data it
// reads and logs CLIENT_EARLY_TRAFFIC_SECRET), s_server without -early_data, and Node's tls server (session reuse).
// TLS 1.2 resumption (09.12–09.16): its steps on inputs written from RFC 5246 and RFC 5077 with Node's HMAC for the
// keys, then s_server -tls1_2, Node's tls and chapter 11's server (solutions/), by session ID and by ticket.
import "./09-resumption-0rtt/rfc8448.js";
import "./09-resumption-0rtt/steps.js";
import "./09-resumption-0rtt/codecs.js";
import "./09-resumption-0rtt/store.js";
import "./09-resumption-0rtt/live.js";
import "./09-resumption-0rtt/tls12.js";
import "./09-resumption-0rtt/live12.js";
import "./09-resumption-0rtt/nginx.js";
import "./09-resumption-0rtt/peers.js";
