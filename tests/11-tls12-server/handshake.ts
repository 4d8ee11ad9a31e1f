// Exercises 11.16 and 11.17: the abbreviated handshake and the server's script, each run against a client written on
// Node's crypto (oracle-client.ts): the server's Finished must be what Node's PRF says, its records must open under keys
// Node derived, the key log must carry Node's master secret, and the sessions it keeps must resume.
import { expect } from "chai";
import { AlertDescription, CipherSuite } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { TicketKeys } from "../../chapters/10-tls13-server/index.js";
import { type Choice12, type Session12, type Tls12ServerConfig, SessionCache, resumedHandshake12, serverHandshake12 } from "../../chapters/11-tls12-server/index.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { expectTlsError } from "../support/properties.js";
import { APPLICATION_DATA, CHANGE_CIPHER_SPEC, HANDSHAKE, illustratedChoice, scriptedClient, serverRecords, testConfig12 } from "./helpers.js";
import { OracleClient, messagesOf } from "./oracle-client.js";

const ECDHE = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
const RSA = CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256;

async function rejection(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (e) {
    return e;
  }
  return undefined;
}

/** Runs the script against the oracle client doing a full handshake; returns both sides and what was written. */
async function fullHandshake(client: OracleClient, config: Tls12ServerConfig, finished?: Uint8Array) {
  let step = 0;
  let flightLength = 0;
  const transport = scriptedClient((written) => {
    step++;
    if (step === 1) return client.hello();
    if (step === 2) {
      flightLength = written.length;
      client.readFlight(written);
      return [client.keyExchange(), client.finish(finished)];
    }
    return null;
  });
  const records = serverRecords(transport);
  const established = await serverHandshake12(records, config);
  const end = client.readServerFinish(transport.written.slice(flightLength));
  return { established, records, transport, end, flightLength };
}

describe("11.17 serverHandshake12: the script", () => {
  it("11.17 RSA key exchange with a client on Node's crypto: the server's Finished is right, application data opens both ways, the key log holds Node's master secret", async () => {
    const keyLog: string[] = [];
    const client = new OracleClient({ cipherSuites: [RSA], ems: false });
    const { established, records, transport, end } = await fullHandshake(client, testConfig12({ keyLog: (l) => keyLog.push(l) }));
    expect(end.finishedOk, "the server's Finished, checked by Node's PRF").to.equal(true);
    expectBytes(established.secrets.master, client.master, "the master secret");
    expectSame(keyLog, [`CLIENT_RANDOM ${toHex(client.random)} ${toHex(client.master)}`], "the key log");
    records.sendApplicationData(new TextEncoder().encode("pong"));
    expectBytes(client.open(transport.written[transport.written.length - 1]!), new TextEncoder().encode("pong"), "the server's data, opened by Node");
    expectCode(established.choice.cipherSuite, RSA, CipherSuite, "suite");
  });

  it("11.17 ECDHE with the extended master secret, a session cache and tickets: NewSessionTicket before ChangeCipherSpec; the session kept under its ID", async () => {
    const sessionCache = new SessionCache();
    const ticketKeys = new TicketKeys();
    const client = new OracleClient({ cipherSuites: [ECDHE], ticket: new Uint8Array(0) });
    const { established, transport, end, flightLength } = await fullHandshake(client, testConfig12({ sessionCache, ticketKeys }));
    expect(end.finishedOk, "the server's Finished").to.equal(true);
    expect(client.extendedMasterSecret, "the server agreed to the extended master secret").to.equal(true);
    expect(client.serverKeyExchange?.signatureOk, "Node verifies the ServerKeyExchange").to.equal(true);
    expectSame(transport.written.slice(flightLength).map((r) => r[0]), [HANDSHAKE, CHANGE_CIPHER_SPEC, HANDSHAKE], "record types after the client's Finished");
    expect(end.ticket?.length ?? 0, "a ticket").to.be.greaterThan(0);
    expect(established.ticketIssued, "ticketIssued").to.equal(true);
    expect(sessionCache.get(client.sessionId)?.master, "the cached session's master secret").to.deep.equal(client.master);
  });

  it("11.17 the abbreviated handshake through the script: the cached session ID gets ServerHello, ChangeCipherSpec and Finished, and the client's Finished completes it", async () => {
    const sessionCache = new SessionCache();
    const config = testConfig12({ sessionCache });
    const first = new OracleClient({ cipherSuites: [ECDHE] });
    await fullHandshake(first, config);
    const client = new OracleClient({ cipherSuites: [ECDHE], sessionId: first.sessionId });
    let finishedOk = false;
    let step = 0;
    const transport = scriptedClient((written) => {
      step++;
      if (step === 1) return client.hello();
      if (step === 2) {
        client.readServerHello(messagesOf(written)[0]!);
        client.deriveKeys(first.master);
        finishedOk = client.readServerFinish(written.slice(1)).finishedOk;
        return client.finish();
      }
      return null;
    });
    const established = await serverHandshake12(serverRecords(transport), config);
    expect(finishedOk, "the server's Finished, checked by Node").to.equal(true);
    expectBytes(client.sessionId, first.sessionId, "the echoed session ID");
    expect(established.resumedBy, "resumedBy").to.equal("session ID");
  });

  it("11.17 the first message must be a ClientHello: a ClientKeyExchange first is unexpected_message", async () => {
    const transport = scriptedClient(() => Uint8Array.of(HANDSHAKE, 3, 3, 0, 6, 16, 0, 0, 2, 0, 0));
    const error = await rejection(serverHandshake12(serverRecords(transport), testConfig12()));
    expectTlsError(() => {
      throw error;
    }, { alert: AlertDescription.unexpected_message });
  });

  it("11.17 a client Finished one bit off ends the handshake with decrypt_error, before the server sends its own", async () => {
    const client = new OracleClient({ cipherSuites: [ECDHE] });
    const wrong = new Uint8Array(12);
    const error = await rejection(fullHandshake(client, testConfig12(), wrong));
    expectTlsError(() => {
      throw error;
    }, { alert: AlertDescription.decrypt_error });
  });
});

describe("11.16 resumedHandshake12: the abbreviated handshake", () => {
  const MASTER = new Uint8Array(48).map((_, i) => 0x30 + i);
  const ID = new Uint8Array(32).fill(0xab);
  const session: Session12 = { cipherSuite: ECDHE, master: MASTER, extendedMasterSecret: true, issuedAt: Date.now(), lifetime: 7200, serverName: "localhost", alpn: "" };

  /** Runs resumedHandshake12 for the oracle client's ClientHello; the client checks the server's Finished and answers. */
  async function resume(client: OracleClient, finished?: (c: OracleClient) => Uint8Array, config: Tls12ServerConfig = testConfig12()) {
    const message = client.clientHelloMessage();
    client.transcript.push(message);
    const choice: Choice12 = {
      ...illustratedChoice(),
      clientHello: decodeClientHello(message),
      message,
      cipherSuite: CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, // what a full handshake would have chosen
      extendedMasterSecret: true,
      serverName: "localhost",
    };
    let finishedOk = false;
    const transport = scriptedClient((written) => {
      client.readServerHello(messagesOf(written)[0]!);
      client.deriveKeys(MASTER);
      finishedOk = client.readServerFinish(written.slice(1)).finishedOk;
      return finished === undefined ? client.finish() : client.finish(finished(client));
    });
    const records = serverRecords(transport);
    records.transcript.add(message);
    const established = await resumedHandshake12(records, choice, { session, by: "session ID", sessionId: ID }, config);
    return { established, transport, records, finishedOk };
  }

  it("11.16 the ServerHello echoes the session ID and keeps the SESSION's suite; the server finishes first, under keys from the session's master and the new randoms", async () => {
    const client = new OracleClient({ cipherSuites: [CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ECDHE], sessionId: ID });
    const { established, transport, finishedOk } = await resume(client);
    expectBytes(client.sessionId, ID, "the echoed session ID");
    expectCode(client.suite, ECDHE, CipherSuite, "the ServerHello's suite");
    expectSame(transport.written.map((r) => r[0]), [HANDSHAKE, CHANGE_CIPHER_SPEC, HANDSHAKE], "ServerHello, ChangeCipherSpec, Finished");
    expect(finishedOk, "the server's Finished, checked by Node's PRF").to.equal(true);
    expect(established.resumedBy, "resumedBy").to.equal("session ID");
    expect(client.serverExtensions.has(23), "extended_master_secret answered").to.equal(true);
  });

  it("11.16 application data after it opens with Node's keys; the key log line carries the session's master secret", async () => {
    const keyLog: string[] = [];
    const client = new OracleClient({ cipherSuites: [ECDHE], sessionId: ID });
    const { established, transport, records } = await resume(client, undefined, testConfig12({ keyLog: (l) => keyLog.push(l) }));
    expectSame(keyLog, [`CLIENT_RANDOM ${toHex(client.random)} ${toHex(MASTER)}`], "the key log");
    expectBytes(established.secrets.master, MASTER, "the master secret");
    records.sendApplicationData(new TextEncoder().encode("resumed"));
    const last = transport.written[transport.written.length - 1]!;
    expect(last[0], "an application_data record").to.equal(APPLICATION_DATA);
    expectBytes(client.open(last), new TextEncoder().encode("resumed"), "the server's data, opened by Node");
  });

  it("11.16 a client Finished over another transcript (it missed the server's Finished): decrypt_error", async () => {
    const client = new OracleClient({ cipherSuites: [ECDHE], sessionId: ID });
    const error = await rejection(resume(client, (c) => {
      c.transcript.pop();
      return c.verifyData("client finished");
    }));
    expectTlsError(() => {
      throw error;
    }, { alert: AlertDescription.decrypt_error });
  });
});

