// Chapter 09 against nginx (`ssl_early_data on`), a server no one here wrote: a first connection brings a ticket, the
// second offers it with a GET as 0-RTT. nginx answers a request read as early data at once, usually before our
// EndOfEarlyData has arrived, and closes (keepalive_timeout 0): the 200 it sent is the result, not a failure, even if
// our last flight then meets a closed connection. nginx's access log ($ssl_early_data, $ssl_session_reused) is the
// outside account of what happened. $ssl_early_data is "1" only if the handshake is still going when nginx answers:
// on a loaded machine our Finished can come first, and nginx then reports "" for the same early request. What does
// not depend on that race: nginx accepted the early data (its EncryptedExtensions say so), and it answered the GET,
// which went only as early data.
import { expect } from "chai";
import { connectTcp } from "../../chapters/06-tls12-handshake/index.js";
import { type ResumeOptions, connectResumed } from "../../chapters/09-resumption-0rtt/index.js";
import { readAll, roots, waitFor } from "../08-tls13-handshake/helpers.js";
import { skipUnlessInstalled } from "../support/installed.js";
import { type NginxServer, startNginx } from "../support/nginx.js";

const HOST = "127.0.0.1";
const GET = new TextEncoder().encode("GET /early HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

describe("09.9 live: 0-RTT with nginx (ssl_early_data on)", function () {
  this.timeout(20000);
  let nginx: NginxServer;
  before(async function () {
    skipUnlessInstalled(this, "nginx", "nginx-light");
    nginx = await startNginx({ earlyData: true, protocols: "TLSv1.3", extra: "    keepalive_timeout 0;" });
  });
  after(async () => {
    await nginx?.close();
  });

  const connect = async (options: Partial<ResumeOptions> = {}) => connectResumed(await connectTcp(HOST, nginx.port), { servername: "localhost", ca: roots(), ...options });

  it("09.9 the GET sent as 0-RTT is answered 200 (nginx: reused, early=1 unless our Finished came first); its answer before our EndOfEarlyData is the result, not an error", async () => {
    const first = await connect();
    first.write(GET);
    const firstPage = await readAll(first);
    expect(firstPage, "the first, full handshake's page").to.include("HTTP/1.1 200").and.match(/early=\S* reused=\./);
    const tickets = first.newTickets();
    first.close();
    expect(tickets.length, "nginx's tickets").to.be.greaterThan(0);
    expect(tickets[0]!.maxEarlyDataSize, "ssl_early_data on allows 0-RTT").to.be.greaterThan(0);

    const conn = await connect({ ticket: tickets[0], earlyData: GET });
    expect(conn.resumption).to.include({ pskOffered: true, pskAccepted: true, earlyData: "accepted" });
    const page = await readAll(conn);
    conn.close();
    expect(page, "the answer to the request that went as early data").to.include("HTTP/1.1 200").and.match(/ early=1? reused=r\n/);
    await waitFor(() => nginx.accessLog().length >= 2, () => nginx.accessLog().join("\n"));
    expect(nginx.accessLog(), "one request per connection").to.have.length(2);
    expect(nginx.accessLog().at(-1), "nginx's access log: TLS 1.3, early data (or handshake just done), resumed, 200").to.match(/^TLSv1\.3 \S+ \S+ 1? r 200$/);
  });
});
