// Bad input at a live TLS 1.2 server of ours on 127.0.0.1, sent by the test client written on Node's crypto
// (oracle-client.ts) over plain TCP: malformed or misordered client messages, each of which must end its connection
// with the alert RFC 5246 names for it (read off the wire: the server's keys are never on by then, so it is in the
// clear), logged by the server as sent by itself; after each, a handshake with Node's tls still works. Then the lesson
// of chapter 04 made live: an RSA ClientKeyExchange with a bad padding gets exactly the bytes, and the alert, that one
// with a good padding but a wrong premaster gets. These run the whole server: titled 11.17, the script. Last, property
// tests: random and mutated input at the server's steps, each titled with its step.
import crypto from "node:crypto";
import * as tls from "node:tls";
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription, CipherSuite, ExtensionType, NamedGroup } from "../../lib/constants.js";
import { alertName, isNotImplemented, isTlsError } from "../../lib/errors.js";
import { type TlsServer, TicketKeys, startTlsServer } from "../../chapters/10-tls13-server/index.js";
import {
  SessionCache,
  type Tls12ServerConfig,
  acceptTls12,
  encodeNewSessionTicket12,
  premasterFromClientKeyExchange,
  resumeSession12,
  serverHandshake12,
} from "../../chapters/11-tls12-server/index.js";
import { waitFor } from "../support/client-helpers.js";
import { expectSame } from "../support/expect-bytes.js";
import { readFixture } from "../support/fixtures.js";
import { assertProperty, mutationsOf } from "../support/properties.js";
import { ALERT, APPLICATION_DATA, CHANGE_CIPHER_SPEC, FATAL, HANDSHAKE, fixtureCredentials, illustratedChoice, rsaCredential, scriptedClient, serverRecords, testConfig12 } from "./helpers.js";
import { CCS_RECORD, OracleClient, block, converse, rawRsa } from "./oracle-client.js";
import { recordedMessage, serverEphemeral } from "./vectors.js";

const RSA = CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256;
const ECDHE = CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
const DHE = CipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256;
const record = (type: number, fragment: ArrayLike<number>) => Uint8Array.from([type, 3, 3, fragment.length >> 8, fragment.length & 0xff, ...Array.from(fragment)]);
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** The alert at the end of the server's records, by name. */
function alertAtEnd(records: Uint8Array[]): string {
  const last = records[records.length - 1];
  if (last === undefined || last[0] !== ALERT || last.length !== 7) return `no plaintext alert (record types: ${records.map((r) => r[0]).join(", ") || "none"})`;
  return `${last[5] === FATAL ? "fatal" : "warning"} ${alertName(last[6]!)}`;
}

/** A TLS 1.2 handshake with Node's tls: the server still serves. */
function nodeHandshake(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: tls.TLSSocket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: readFixture("ca.crt"), maxVersion: "TLSv1.2" }, () => {
      resolve(s.getProtocol() ?? "");
      s.end();
    });
    s.on("error", reject);
  });
}

const lastFailure = (server: TlsServer) => [...server.connections].reverse().find((c) => c.failure !== undefined)?.failure;

describe("11.17 bad input: each ends its connection with RFC 5246's alert, and the server goes on serving", function () {
  this.timeout(20_000);
  let server: TlsServer;
  let config: Tls12ServerConfig;
  before(async () => {
    config = testConfig12({ sessionCache: new SessionCache(), ticketKeys: new TicketKeys() });
    server = await startTlsServer({ tls13: { credentials: fixtureCredentials(), cookieKey: new Uint8Array(32) }, accept: (t, o) => acceptTls12(t, config, o), handshakeTimeoutMs: 2000 });
  });
  after(async () => {
    await server?.close();
  });

  async function expectAlert(records: Uint8Array[], alert: number): Promise<void> {
    expect(alertAtEnd(records), "the alert on the wire").to.equal(`fatal ${alertName(alert)}`);
    await waitFor(() => lastFailure(server)?.alert === alertName(alert), () => JSON.stringify(lastFailure(server)));
    expect(lastFailure(server)?.sentByUs, "sent by the server").to.equal(true);
    expect(await nodeHandshake(server.port), "the next connection").to.equal("TLSv1.2");
  }

  const cases: [string, string, () => OracleClient, (c: OracleClient, flight: Uint8Array[]) => Uint8Array | null, number][] = [
    ["11.17", "a Finished one bit off", () => new OracleClient({ cipherSuites: [ECDHE] }), (c, f) => {
      c.readFlight(f);
      const cke = c.keyExchange();
      const verify = c.verifyData("client finished");
      verify[11]! ^= 1;
      return cat(cke, c.finish(verify));
    }, AlertDescription.decrypt_error],
    ["11.17", "a ClientKeyExchange whose length prefix says more than the message holds", () => new OracleClient({ cipherSuites: [RSA] }), (c, f) => {
      c.readFlight(f);
      const cke = c.keyExchange();
      cke[9] = 0x02; // the opaque<2> now claims 0x0200 bytes; the handshake length says 258
      return cke;
    }, AlertDescription.decode_error],
    ["11.17", "an ECDHE ClientKeyExchange of the wrong length (a 31-byte X25519 key)", () => new OracleClient({ cipherSuites: [ECDHE], groups: [NamedGroup.x25519] }), (c, f) => {
      c.readFlight(f);
      return record(HANDSHAKE, [16, 0, 0, 32, 31, ...new Uint8Array(31).fill(9)]);
    }, AlertDescription.illegal_parameter],
    ["11.17", "an X25519 point of low order (all zeros)", () => new OracleClient({ cipherSuites: [ECDHE], groups: [NamedGroup.x25519] }), (c, f) => {
      c.readFlight(f);
      return record(HANDSHAKE, [16, 0, 0, 33, 32, ...new Uint8Array(32)]);
    }, AlertDescription.illegal_parameter],
    ["11.17", "a DHE public value of 1", () => new OracleClient({ cipherSuites: [DHE] }), (c, f) => {
      c.readFlight(f);
      return record(HANDSHAKE, [16, 0, 0, 3, 0, 1, 1]);
    }, AlertDescription.illegal_parameter],
    ["11.17", "a plaintext record over 2^14 bytes", () => new OracleClient({ cipherSuites: [RSA] }), () => record(HANDSHAKE, new Uint8Array(2 ** 14 + 1)), AlertDescription.record_overflow],
    ["11.17", "application data before the Finished (in the clear, after the ClientKeyExchange)", () => new OracleClient({ cipherSuites: [RSA] }), (c, f) => {
      c.readFlight(f);
      return cat(c.keyExchange(), record(APPLICATION_DATA, new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n")));
    }, AlertDescription.unexpected_message],
    ["11.17", "application data before the Finished (encrypted, after the ChangeCipherSpec)", () => new OracleClient({ cipherSuites: [ECDHE] }), (c, f) => {
      c.readFlight(f);
      return cat(c.keyExchange(), CCS_RECORD, c.seal(APPLICATION_DATA, new TextEncoder().encode("GET /")));
    }, AlertDescription.unexpected_message],
    ["11.17", "a ChangeCipherSpec where the ClientKeyExchange must come", () => new OracleClient({ cipherSuites: [ECDHE] }), () => CCS_RECORD, AlertDescription.unexpected_message],
    ["11.17", "a second ChangeCipherSpec, sealed under the client's keys where its Finished must be", () => new OracleClient({ cipherSuites: [ECDHE] }), (c, f) => {
      c.readFlight(f);
      return cat(c.keyExchange(), CCS_RECORD, c.seal(CHANGE_CIPHER_SPEC, Uint8Array.of(1)));
    }, AlertDescription.unexpected_message],
    ["11.17", "a second ChangeCipherSpec in the clear (after the first, every record must authenticate)", () => new OracleClient({ cipherSuites: [ECDHE] }), (c, f) => {
      c.readFlight(f);
      return cat(c.keyExchange(), CCS_RECORD, CCS_RECORD);
    }, AlertDescription.bad_record_mac],
    ["11.17", "a second ClientHello in the middle of the handshake", () => new OracleClient({ cipherSuites: [ECDHE] }), (c) => record(HANDSHAKE, c.clientHelloMessage()), AlertDescription.unexpected_message],
    ["11.17", "a Certificate the server never asked for", () => new OracleClient({ cipherSuites: [ECDHE] }), () => record(HANDSHAKE, [11, 0, 0, 3, 0, 0, 0]), AlertDescription.unexpected_message],
  ];
  for (const [id, what, make, answer, alert] of cases) {
    it(`${id} ${what}: ${alertName(alert)}`, async () => {
      const client = make();
      const { rest } = await converse(server.port, client, (flight) => answer(client, flight));
      await expectAlert(rest, alert);
    });
  }

  const hellos: [string, string, () => Uint8Array, number][] = [
    ["11.17", "a ClientHello offering no suite this server runs (CBC and TLS 1.3 suites only)", () => new OracleClient({ cipherSuites: [0xc013, 0x1301] }).hello(), AlertDescription.handshake_failure],
    ["11.17", "a ClientHello of a TLS 1.1 client", () => new OracleClient({ cipherSuites: [RSA], version: 0x0302 }).hello(), AlertDescription.protocol_version],
    ["11.17", "a ClientHello renegotiating (renegotiation_info not empty)", () => {
      const c = new OracleClient({ cipherSuites: [RSA], renegotiatedConnection: new Uint8Array(12).fill(1) });
      return c.hello();
    }, AlertDescription.handshake_failure],
    ["11.17", "a truncated ClientHello (its handshake length cut to match)", () => {
      const m = new OracleClient({ cipherSuites: [RSA] }).clientHelloMessage().slice(0, 60);
      m[3] = 56;
      return record(HANDSHAKE, m);
    }, AlertDescription.decode_error],
    ["11.17", "a ChangeCipherSpec before any ClientHello", () => CCS_RECORD, AlertDescription.unexpected_message],
  ];
  for (const [id, what, bytes, alert] of hellos) {
    it(`${id} ${what}: ${alertName(alert)}`, async () => {
      const { flight } = await converse(server.port, new OracleClient({ cipherSuites: [RSA] }), () => null, bytes());
      await expectAlert(flight, alert);
    });
  }

  it("11.17 resuming a session made with the extended master secret, without it: handshake_failure (RFC 7627 §5.3)", async () => {
    const first = new OracleClient({ cipherSuites: [ECDHE] });
    const done = await converse(server.port, first, (f) => {
      first.readFlight(f);
      return cat(first.keyExchange(), first.finish());
    });
    expect(first.readServerFinish(done.rest).finishedOk, "the first handshake").to.equal(true);
    const again = new OracleClient({ cipherSuites: [ECDHE], sessionId: first.sessionId, ems: false });
    const { flight } = await converse(server.port, again, () => null);
    await expectAlert(flight, AlertDescription.handshake_failure);
  });
});

describe("11.17 implicit rejection, live: a wrong padding looks exactly like a wrong premaster", function () {
  this.timeout(20_000);
  let server: TlsServer;
  const RANDOM = new Uint8Array(32).fill(0x42);
  const CLIENT_RANDOM = new Uint8Array(32).fill(0x24);
  before(async () => {
    // Every random value of the server fixed, so that two connections with the same ClientHello get the same bytes.
    const config = testConfig12({ credentials: [rsaCredential()], fixed: { random: RANDOM } });
    server = await startTlsServer({ tls13: { credentials: fixtureCredentials(), cookieKey: new Uint8Array(32) }, accept: (t, o) => acceptTls12(t, config, o) });
  });
  after(async () => {
    await server?.close();
  });

  /**
   * One RSA handshake whose ClientKeyExchange `encrypt` makes from the premaster the client believes in (03 03 and 46
   * random bytes, unless `believed` says otherwise); the client's Finished is computed from that premaster.
   */
  async function attempt(encrypt: (c: OracleClient, premaster: Uint8Array) => Uint8Array, believed?: (premaster: Uint8Array) => Uint8Array) {
    const client = new OracleClient({ cipherSuites: [RSA], random: CLIENT_RANDOM });
    const fresh = Uint8Array.from([3, 3, ...crypto.randomBytes(46)]);
    const premaster = believed?.(fresh) ?? fresh;
    return converse(server.port, client, (flight) => {
      client.readFlight(flight);
      return cat(client.keyExchange({ premaster, ciphertext: encrypt(client, premaster) }), client.finish());
    });
  }

  it("11.17 a good ClientKeyExchange (the control): the server finishes the handshake", async () => {
    const good = await attempt((c, p) => rawRsa(c, block(p)));
    expectSame(good.rest.map((r) => r[0]), [CHANGE_CIPHER_SPEC, HANDSHAKE], "the server's ChangeCipherSpec and Finished");
  });

  it("11.17 bad padding (00 01 …), a misplaced separator, good padding around another premaster, another version inside: the server's bytes are identical, ending in bad_record_mac", async () => {
    const runs = {
      "a good padding around another premaster": await attempt((c) => rawRsa(c, block(Uint8Array.from([3, 3, ...crypto.randomBytes(46)])))),
      "block type 01 instead of 02": await attempt((c, p) => rawRsa(c, block(p, { type: 1 }))),
      "the separator one byte late (a 47-byte M)": await attempt((c, p) => rawRsa(c, block(p, { separatorAt: 256 - 47 - 1 }))),
      // A rollback: the ClientHello said 03 03, the premaster 03 01. The server puts the ClientHello's version in front.
      "version 03 01 inside, a ClientHello saying 03 03": await attempt((c, p) => rawRsa(c, block(p)), (p) => Uint8Array.from([3, 1, ...p.subarray(2)])),
      "no padding at all (a random block)": await attempt((c) => rawRsa(c, Uint8Array.from([0, ...crypto.randomBytes(255)]))),
    };
    const [[, reference], ...others] = Object.entries(runs);
    expect(alertAtEnd(reference!.rest), "the alert").to.equal("fatal bad_record_mac");
    for (const [what, run] of others) {
      expect(Buffer.from(run.bytes).toString("hex"), `${what}: every byte the server sent`).to.equal(Buffer.from(reference!.bytes).toString("hex"));
    }
  });
});

describe("11.17 properties: random and mutated input at the server's steps", () => {
  it("11.17 a client whose first records are random or mutated (the recorded ClientHello's): the script ends with a TlsError, never another error", async () => {
    // Whole records (framing is chapter 00's, tested there): a mutated ClientHello or random bytes, of any content type.
    const contentType = fc.constantFrom(HANDSHAKE, CHANGE_CIPHER_SPEC, ALERT, APPLICATION_DATA, 0, 99);
    const fragment = fc.oneof(mutationsOf([recordedMessage("clienthello")]), fc.uint8Array({ maxLength: 300 }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(contentType, fragment), { minLength: 1, maxLength: 3 }), async (records) => {
        const bytes = records.map(([type, f]) => record(type, f));
        const transport = scriptedClient(() => bytes);
        try {
          await serverHandshake12(serverRecords(transport), testConfig12());
        } catch (e) {
          if (isNotImplemented(e) || !isTlsError(e)) throw e;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it("11.8 premasterFromClientKeyExchange on random and mutated ClientKeyExchanges, RSA, DHE and ECDHE: a premaster or a TlsError", () => {
    const rsa = { ...illustratedChoice(), keyExchange: "RSA" as const, credential: rsaCredential() };
    const ecdhe = illustratedChoice();
    const seeds = [recordedMessage("clientkeyexchange"), Uint8Array.of(16, 0, 1, 2, 1, 0, ...new Uint8Array(256))];
    assertProperty(
      fc.property(fc.oneof(mutationsOf(seeds), fc.uint8Array({ maxLength: 300 })), (bytes) => {
        for (const [choice, ephemeral] of [[rsa, undefined], [ecdhe, { kind: "ecdhe" as const, keyPair: serverEphemeral() }]] as const) {
          try {
            premasterFromClientKeyExchange(bytes, choice, ephemeral);
          } catch (e) {
            if (isNotImplemented(e) || !isTlsError(e)) throw e;
          }
        }
        return true;
      }),
      80,
    );
  });


  it("11.12 NewSessionTicket for any hint and ticket: the RFC 5077 §3.3 layout, length fields right", () => {
    assertProperty(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.uint8Array({ maxLength: 300 }), (hint, ticket) => {
        const m = encodeNewSessionTicket12(hint, ticket);
        const view = new DataView(m.buffer, m.byteOffset);
        return m[0] === 4 && ((m[1]! << 16) | (m[2]! << 8) | m[3]!) === m.length - 4 && view.getUint32(4) === hint && view.getUint16(8) === ticket.length && Buffer.from(m.subarray(10)).equals(Buffer.from(ticket));
      }),
      200,
    );
  });

  it("11.13 random tickets and session IDs resume nothing, and never throw", () => {
    const config = testConfig12({ sessionCache: new SessionCache(), ticketKeys: new TicketKeys() });
    assertProperty(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ maxLength: 32 }), (ticket, sessionId) => {
        const base = illustratedChoice();
        const choice = { ...base, clientHello: { ...base.clientHello, legacySessionId: sessionId, extensions: [...base.clientHello.extensions, { kind: "raw" as const, type: ExtensionType.session_ticket, data: ticket }] } };
        return resumeSession12(choice, config) === undefined;
      }),
      100,
    );
  });
});
