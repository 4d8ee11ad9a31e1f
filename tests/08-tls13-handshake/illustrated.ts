// The recorded TLS_AES_256_GCM_SHA384 connection of tls13.xargs.org (tests/vectors/illustrated-tls13): its records as
// sent, the same records decrypted, the keys and IVs the page states, and the key log.
//   08.1–08.2  every encrypted record of the capture opens with the stated keys to its recorded plaintext, and
//              sealing the plaintext again gives the recorded record byte for byte;
//   08.17      the whole connection replayed: with the capture's ClientHello and x25519 key our client writes the capture's
//         ClientHello, ChangeCipherSpec, Finished and "ping" byte for byte, reads "pong", keeps both tickets, and
//         logs the capture's key log lines.
import { expect } from "chai";
import { CipherSuite, ContentType, NamedGroup } from "../../lib/constants.js";
import { decodeClientHello } from "../../chapters/01-client-hello/index.js";
import { type Certificate, validateChain } from "../../chapters/03-certificates/index.js";
import { connectTls13, direction13, openRecord13, sealRecord13 } from "../../chapters/08-tls13-handshake/index.js";
import { expectBytes, expectCode, expectSame } from "../support/expect-bytes.js";
import { replayTransport } from "../support/replay-transport.js";
import { records as recordStructure } from "../support/structures.js";
import { illustrated, illustratedInner, illustratedMessage, illustratedValues, stated, ticketFields } from "./vectors.js";

const asRecord = (bytes: Uint8Array) => ({ type: bytes[0]!, version: (bytes[1]! << 8) | bytes[2]!, fragment: bytes.slice(5) });
const keys = (who: "server" | "client", stage: "handshake" | "application") => ({ key: stated(`${who}_${stage}_key`), iv: stated(`${who}_${stage}_iv`) });

/** Each direction's records in the order they were sent, each with the capture of its plaintext. */
const DIRECTIONS: { who: "server" | "client"; stage: "handshake" | "application"; records: [string, string][] }[] = [
  {
    who: "server",
    stage: "handshake",
    records: [
      ["serverencextensions", "serverextensions"],
      ["serverenccert", "servercert"],
      ["serverenccertverify", "servercertverify"],
      ["serverencfinished", "serverfinished"],
    ],
  },
  {
    who: "server",
    stage: "application",
    records: [
      ["serverencticket1", "serverticket1"],
      ["serverencticket2", "serverticket2"],
      ["serverencdata", "serverdata"],
    ],
  },
  { who: "client", stage: "handshake", records: [["clientencfinished", "clientfinished"]] },
  { who: "client", stage: "application", records: [["clientencdata", "clientdata"]] },
];

/** The capture's certificate expired in 2019 and names its host only in the subject: judged in 2019, without a name. */
const validateCapturedChain = (chain: Certificate[]) => validateChain(chain, { roots: chain.slice(-1), at: new Date("2019-06-01T00:00:00Z") });

describe("08.1–08.2 tls13.xargs.org (TLS_AES_256_GCM_SHA384): every encrypted record", function () {
  for (const { who, stage, records } of DIRECTIONS) {
    it(`08.2 the ${who}'s ${stage} records open with the page's ${who}_${stage}_key and iv to the recorded plaintext`, () => {
      const opener = direction13("AES_256_GCM", keys(who, stage));
      for (const [encrypted, plain] of records) {
        const { content, type } = illustratedInner(plain);
        const opened = openRecord13(opener, asRecord(illustrated(`caps/${encrypted}`)));
        expectCode(opened.contentType, type, ContentType, `${encrypted}: the true content type`);
        expectBytes(opened.content, content, `${encrypted}: the content`);
      }
    });

    it(`08.1 the ${who}'s ${stage} plaintexts seal with the page's ${who}_${stage}_key and iv to the recorded records, byte for byte`, () => {
      const sealer = direction13("AES_256_GCM", keys(who, stage));
      for (const [encrypted, plain] of records) {
        const { content, type } = illustratedInner(plain);
        expectBytes(sealRecord13(sealer, type, content), illustrated(`caps/${encrypted}`), `${encrypted}, sealed`, { structure: recordStructure });
      }
    });
  }
});

describe("08.17 tls13.xargs.org replayed through our client", function () {
  it("08.17 with the capture's ClientHello and x25519 key: ClientHello, ChangeCipherSpec, Finished and 'ping' byte for byte; 'pong' back; both tickets kept", async () => {
    const values = illustratedValues();
    const keyLog: string[] = [];
    const replay = replayTransport(
      ["serverhello", "serverccs", "serverencextensions", "serverenccert", "serverenccertverify", "serverencfinished", "serverencticket1", "serverencticket2", "serverencdata"].map(
        (name) => illustrated(`caps/${name}`),
      ),
    );
    const conn = await connectTls13(replay, {
      servername: "example.ulfheim.net",
      ca: [],
      keyLog: (line) => keyLog.push(line),
      fixed: {
        clientHello: decodeClientHello(illustratedMessage("clienthello")),
        keyPairs: [
          {
            group: NamedGroup.x25519,
            privateKey: Uint8Array.from(Buffer.from(values.clientEphemeralX25519.private, "hex")),
            publicKey: Uint8Array.from(Buffer.from(values.clientEphemeralX25519.public, "hex")),
          },
        ],
        validate: validateCapturedChain,
      },
    });
    expectCode(conn.cipherSuite, 0x1302, CipherSuite, "the suite");
    conn.write(illustratedInner("clientdata").content);
    const data = await conn.read();
    expect(new TextDecoder().decode(data!)).to.equal("pong");
    expect(await conn.read(), "the capture ends: the stream ends").to.equal(null);
    conn.close();
    expectSame(
      replay.written.slice(0, 4),
      ["clienthello", "clientccs", "clientencfinished", "clientencdata"].map((name) => illustrated(`caps/${name}`)),
      "our records: ClientHello, ChangeCipherSpec, Finished, ping",
      { structure: recordStructure },
    );
    expectSame(
      conn.tickets.map((t) => t.ticket.ticket),
      ["serverticket1", "serverticket2"].map((name) => ticketFields(illustratedInner(name).content).ticket),
      "the tickets kept",
    );
    expect(keyLog.sort()).to.deep.equal(values.keylog.map((e) => `${e.label} ${e.client_random} ${e.secret}`).sort());
    expectBytes(conn.secrets.sharedSecret, stated("shared_secret"), "the shared secret on the page");
    expectBytes(conn.secrets.handshake.handshakeSecret, stated("handshake_secret"), "the handshake secret on the page");
  });
});
