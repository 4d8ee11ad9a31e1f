// The handshakes are cut into steps so that a learner with one wrong line is sent to the step that holds it. This
// suite proves it the way a learner would meet it: each realistic bug below is put into a scratch copy of the
// reference code (chapters/ = solutions/), the chapter is graded there (`tls-by-hand grade NN --impl chapters`, as a
// learner runs it), and the scoreboard's "Next:" must name the exercise whose region holds the changed line. The
// expected exercise is found from the regions at run time, so renumbering a chapter does not break this suite.
// Two scratch copies are graded side by side (the machine has two cores); each copy takes its bugs one at a time,
// through one grade server (`grade --serve`: the same grade, the same scoreboard, without a Node start-up each time).
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findRegions } from "../../tools/exercises.js";
import { scratchCopy } from "../../tools/scratch.js";
import { type GradeServer, gradeServer } from "./learner-copy.js";

interface Bug {
  /** What a learner might have done. */
  what: string;
  chapter: string;
  /** The file under chapters/. */
  file: string;
  /** Exact text of the reference (found exactly once), and what the learner wrote instead. */
  from: string;
  to: string;
}

const BUGS: Bug[][] = [
  // Lane 1: TLS 1.3 (chapter 08) and EndOfEarlyData (chapter 09).
  [
    {
      what: "08: the client's CertificateVerify signed with the server's context string (mutual TLS)",
      chapter: "08",
      file: "08-tls13-handshake/client-auth.ts",
      from: '  const content = certificateVerifyContent(hellos.transcript.hash(), "client");',
      to: '  const content = certificateVerifyContent(hellos.transcript.hash(), "server");',
    },
    {
      what: "08: the ServerHello is not added to the transcript (the handshake secrets then hash the ClientHello alone)",
      chapter: "08",
      file: "08-tls13-handshake/hellos.ts",
      from: "  transcript.add(sent.message);\n  transcript.add(message);\n",
      to: "  transcript.add(sent.message);\n",
    },
    {
      what: "08: EncryptedExtensions never added to the transcript",
      chapter: "08",
      file: "08-tls13-handshake/server-flight.ts",
      from: "  hellos.transcript.add(message);\n  return encryptedExtensions;",
      to: "  return encryptedExtensions;",
    },
    {
      what: "08: CertificateVerify checked after adding it to the transcript",
      chapter: "08",
      file: "08-tls13-handshake/server-flight.ts",
      from: "  verifyCertificateVerify(certificateVerify, signingKey(serverCertificates[0]!), transcript.hash(), offeredSchemes);\n  transcript.add(cvMessage);",
      to: "  transcript.add(cvMessage);\n  verifyCertificateVerify(certificateVerify, signingKey(serverCertificates[0]!), transcript.hash(), offeredSchemes);",
    },
    {
      what: "08: our application write keys switched on with the server's, before our Finished",
      chapter: "08",
      file: "08-tls13-handshake/server-flight.ts",
      from: '  records.setReadKeys(direction13(keys.aead, applicationKeys.server, "server application traffic"));',
      to: '  records.setReadKeys(direction13(keys.aead, applicationKeys.server, "server application traffic"));\n  records.setWriteKeys(direction13(keys.aead, applicationKeys.client, "client application traffic"));',
    },
    {
      what: "09: TLS 1.2 resumption, the key block cut with the randoms the wrong way round",
      chapter: "09",
      file: "09-resumption-0rtt/resume12.ts",
      from: "keyBlock(hello.hash, session.master, clientRandom, serverRandom,",
      to: "keyBlock(hello.hash, session.master, serverRandom, clientRandom,",
    },
    {
      what: "09: TLS 1.2 resumption, our Finished sent before the server's in the abbreviated handshake",
      chapter: "09",
      file: "09-resumption-0rtt/connect12.ts",
      from: "    await readServerFinished12(records, hello, secrets);\n    sendClientFinished12(records, hello, secrets);\n",
      to: "    sendClientFinished12(records, hello, secrets);\n    await readServerFinished12(records, hello, secrets);\n",
    },
    {
      what: "09: EndOfEarlyData sent under the handshake keys instead of the early keys",
      chapter: "09",
      file: "09-resumption-0rtt/resumed.ts",
      from: "  records.setWriteKeys(sent.early.direction);\n",
      to: "",
    },
  ],
  // Lane 2: TLS 1.2 (chapter 06), resumption (chapter 09) and certificates (chapter 03): about as long to grade.
  [
    {
      what: "06: the client's CertificateVerify signs the hash of the handshake messages, not the messages (mutual TLS)",
      chapter: "06",
      file: "06-tls12-handshake/client-auth.ts",
      from: "  const content = concat(...records.transcript.messages);",
      to: '  const content = records.transcript.hash("SHA-256");',
    },
    {
      what: "06: our Finished sent before our ChangeCipherSpec",
      chapter: "06",
      file: "06-tls12-handshake/finish.ts",
      from:
        "  records.sendChangeCipherSpec(directionState(secrets.keys.clientKey, secrets.keys.clientIv));\n" +
        "  records.sendHandshake(encodeFinished(verifyData(hello.hash, secrets.master, LABEL_CLIENT_FINISHED, records.transcript.hash(hello.hash))));\n",
      to:
        "  records.sendHandshake(encodeFinished(verifyData(hello.hash, secrets.master, LABEL_CLIENT_FINISHED, records.transcript.hash(hello.hash))));\n" +
        "  records.sendChangeCipherSpec(directionState(secrets.keys.clientKey, secrets.keys.clientIv));\n",
    },
    {
      what: "06: the RSA premaster carries the server's version instead of the one we offered",
      chapter: "06",
      file: "06-tls12-handshake/key-exchange.ts",
      from: "premaster = makeRsaPremaster(hello.clientHello.legacyVersion, fixed?.random);",
      to: "premaster = makeRsaPremaster(hello.serverHello.legacyVersion - 1, fixed?.random);",
    },
    {
      what: "09: the PSK left out of the early secret (the script does not pass it on)",
      chapter: "09",
      file: "09-resumption-0rtt/resumed.ts",
      from: "  const keys = establishHandshakeKeys(records, hellos, options.keyLog, psk);",
      to: "  const keys = establishHandshakeKeys(records, hellos, options.keyLog);",
    },
    {
      what: "09: the binder after a HelloRetryRequest computed over the second ClientHello alone",
      chapter: "09",
      file: "09-resumption-0rtt/resumed.ts",
      from: "clientHello: offerTicket(second.clientHello, ticket, now, false, transcriptBefore) };",
      to: "clientHello: offerTicket(second.clientHello, ticket, now, false) };",
    },
    {
      what: "03: ECDSA accepts r or s outside 1 … n−1 (the CVE-2022-21449 check left out)",
      chapter: "03",
      file: "03-certificates/ecdsa.ts",
      from: "  if (sig.r <= 0n || sig.r >= n || sig.s <= 0n || sig.s >= n) return false;\n",
      to: "",
    },
  ],
];

/** Puts `bug` into the scratch copy at `dir`; returns the exercise whose region holds the change, and an undo. */
function inject(dir: string, bug: Bug): { expected: string; undo: () => void } {
  const path = join(dir, "chapters", bug.file);
  const original = readFileSync(path, "utf8");
  const at = original.indexOf(bug.from);
  if (at < 0 || original.indexOf(bug.from, at + 1) >= 0) throw new Error(`${bug.file}: the reference text to change is not there exactly once: ${JSON.stringify(bug.from)}`);
  const line = original.slice(0, at).split("\n").length - 1;
  const region = findRegions(original, path).find((r) => r.bodyStart <= line && line < r.end);
  if (region === undefined) throw new Error(`${bug.file}:${line + 1} is not inside an exercise region`);
  writeFileSync(path, original.slice(0, at) + bug.to + original.slice(at + bug.from.length));
  return { expected: region.id, undo: () => writeFileSync(path, original) };
}

/**
 * Grades one chapter in `dir` as a learner does, up to the exercise that holds the bug (`--until`: the tests of later
 * exercises cannot change which failing exercise comes first); resolves with the scoreboard text.
 */
async function grade(server: GradeServer, chapter: string, until: string): Promise<string> {
  const r = await server.grade([chapter, "--until", until, "--impl", "chapters"]);
  return r.stdout + r.stderr;
}

interface Outcome {
  bug: Bug;
  expected: string;
  next: string | undefined;
  output: string;
}

describe("each handshake step is where a bug in it is found: the grader's Next: names it", function () {
  this.timeout(600_000);
  const outcomes: Outcome[] = [];
  const dirs: string[] = [];

  before(async () => {
    await Promise.all(
      BUGS.map(async (lane) => {
        const dir = scratchCopy("solutions");
        dirs.push(dir);
        const results = mkdtempSync(join(tmpdir(), "tls-by-hand-results-"));
        dirs.push(results);
        const server = gradeServer(dir, { TLS_BY_HAND_RESULTS: results });
        try {
          for (const bug of lane) {
            const { expected, undo } = inject(dir, bug);
            try {
              const output = await grade(server, bug.chapter, expected);
              outcomes.push({ bug, expected, next: /^Next: (\d\d\.\d+)/m.exec(output)?.[1], output });
              // TLS_BY_HAND_STEPS_OUT=DIR keeps each scoreboard, to show what a learner with this bug reads.
              const keep = process.env.TLS_BY_HAND_STEPS_OUT;
              if (keep !== undefined) writeFileSync(join(keep, `${bug.chapter}-${BUGS.flat().indexOf(bug)}.txt`), `${bug.what}\n\n${output}`);
            } finally {
              undo();
            }
          }
        } finally {
          await server.close();
        }
      }),
    );
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const bug of BUGS.flat()) {
    it(bug.what, () => {
      const o = outcomes.find((x) => x.bug === bug);
      expect(o, "the bug was graded").to.not.equal(undefined);
      const around = o!.output.slice(Math.max(0, o!.output.indexOf("Next:")), o!.output.indexOf("Next:") + 600);
      expect(o!.next, `the grader's Next: line (the bug is in ${o!.expected})\n${around}`).to.equal(o!.expected);
    });
  }

  it("at least ten bugs, in chapters 03, 06, 08 and 09", () => {
    expect(BUGS.flat().length).to.be.at.least(10);
    expect([...new Set(BUGS.flat().map((b) => b.chapter))].sort()).to.deep.equal(["03", "06", "08", "09"]);
  });
});
