// Chapter 09's decoders under fast-check (1000 runs each): the client's pre_shared_key, the server's
// selected_identity, the three forms of early_data, and a NewSessionTicket's extensions as acceptTicket reads them.
// Expected bytes are built here by hand and expected PSKs by Node's HMAC (tests/support/tls13-oracle.ts).
import { expect } from "chai";
import fc from "fast-check";
import { AlertDescription } from "../../lib/constants.js";
import { toHex } from "../../lib/hex.js";
import { expectBytes, expectSame } from "../support/expect-bytes.js";
import {
  type EarlyDataContext,
  type OfferedPsks,
  acceptTicket,
  decodeEarlyDataIndication,
  decodeOfferedPsks,
  decodeSelectedIdentity,
  isStoredTicket,
  preSharedKeyExtension,
} from "../../chapters/09-resumption-0rtt/index.js";
import { assertProperty, badInputs, decodeOrTlsError, expectTlsError, onlyTlsErrors, randomBytes } from "../support/properties.js";
import { oracleExpandLabel } from "../support/tls13-oracle.js";

const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** OfferedPsks in bytes, written out here from RFC 8446 §4.2.11. */
function offeredBytes(o: OfferedPsks): Uint8Array {
  const ids = o.identities.flatMap((i) => [...u16(i.identity.length), ...i.identity, ...u32(i.obfuscatedTicketAge)]);
  const binders = o.binders.flatMap((b) => [b.length, ...b]);
  return Uint8Array.from([...u16(ids.length), ...ids, ...u16(binders.length), ...binders]);
}

const offers: fc.Arbitrary<OfferedPsks> = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    identities: fc.array(
      fc.record({ identity: fc.uint8Array({ minLength: 1, maxLength: 40 }), obfuscatedTicketAge: fc.nat({ max: 2 ** 32 - 1 }) }),
      { minLength: n, maxLength: n },
    ),
    binders: fc.array(fc.uint8Array({ minLength: 32, maxLength: 48 }), { minLength: n, maxLength: n }),
  }),
);

describe("09 codecs: pre_shared_key, early_data, ticket extensions", () => {
  it("09.2 pre_shared_key: encodes as RFC 8446 §4.2.11 lays it out, and decodes back (1000 offers)", () => {
    assertProperty(
      fc.property(offers, (o) => {
        const bytes = offeredBytes(o);
        const ext = preSharedKeyExtension(o);
        expect(ext.kind === "raw" && ext.type, "extension type 41").to.equal(41);
        expectBytes((ext as { data: Uint8Array }).data, bytes, "pre_shared_key extension_data");
        expectSame(decodeOfferedPsks(bytes), o, "the offer, decoded back");
      }),
    );
  });

  it("09.2 pre_shared_key: damaged offers give only decode_error, with field and offset (1000 inputs)", () => {
    const seeds = fc.sample(offers, 8).map(offeredBytes);
    onlyTlsErrors(decodeOfferedPsks, badInputs(seeds), {
      also: (o) => {
        expect(o.identities.length).to.be.greaterThan(0);
        expect(o.binders.length).to.equal(o.identities.length);
        for (const b of o.binders) expect(b.length).to.be.at.least(32);
        for (const i of o.identities) expect(i.identity.length).to.be.at.least(1);
      },
    });
  });

  it("09.2 pre_shared_key: refuses an empty identity, a short binder, and binders not one per identity", () => {
    const good = { identities: [{ identity: Uint8Array.of(1), obfuscatedTicketAge: 7 }], binders: [new Uint8Array(32)] };
    expectTlsError(() => decodeOfferedPsks(offeredBytes({ ...good, identities: [{ identity: new Uint8Array(0), obfuscatedTicketAge: 0 }] })), { alert: AlertDescription.decode_error });
    expectTlsError(() => decodeOfferedPsks(offeredBytes({ ...good, binders: [new Uint8Array(31)] })), { alert: AlertDescription.decode_error, field: "binder" });
    expectTlsError(() => decodeOfferedPsks(offeredBytes({ ...good, binders: [new Uint8Array(32), new Uint8Array(32)] })), { alert: AlertDescription.decode_error, field: "binders" });
  });

  it("09.2 selected_identity: exactly one uint16, anything else decode_error (1000 inputs)", () => {
    assertProperty(
      fc.property(randomBytes(5), (input) => {
        const r = decodeOrTlsError(decodeSelectedIdentity, input);
        expect(r.ok, `${toHex(input)}`).to.equal(input.length === 2);
        if (r.ok) expect(r.value).to.equal((input[0]! << 8) | input[1]!);
      }),
    );
  });

  it("09.2 early_data: max_early_data_size in a ticket, empty elsewhere (1000 inputs)", () => {
    const contexts: EarlyDataContext[] = ["client_hello", "encrypted_extensions", "new_session_ticket"];
    assertProperty(
      fc.property(randomBytes(6), fc.constantFrom(...contexts), (input, context) => {
        const r = decodeOrTlsError((b) => decodeEarlyDataIndication(b, context), input);
        const ok = context === "new_session_ticket" ? input.length === 4 : input.length === 0;
        expect(r.ok, `${context}: ${toHex(input)}`).to.equal(ok);
        if (r.ok) expect(r.value).to.equal(context === "new_session_ticket" ? new DataView(input.buffer, input.byteOffset).getUint32(0) : null);
      }),
    );
  });

  it("09.1 ticket extensions: unknown ones ignored, early_data read, PSK by HKDF-Expand-Label (1000 tickets)", () => {
    const secret = new Uint8Array(32).fill(7);
    const unknown = fc.record({ kind: fc.constant("raw" as const), type: fc.integer({ min: 0, max: 0xffff }).filter((t) => t !== 42), data: fc.uint8Array({ maxLength: 8 }) });
    assertProperty(
      fc.property(
        fc.integer({ min: 1, max: 604800 }),
        fc.nat({ max: 2 ** 32 - 1 }),
        fc.uint8Array({ maxLength: 16 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.uniqueArray(unknown, { selector: (e) => e.type, maxLength: 3 }),
        fc.option(fc.nat({ max: 2 ** 32 - 1 }), { nil: undefined }),
        (lifetime, ageAdd, nonce, ticket, raws, max) => {
          const extensions = max === undefined ? raws : [...raws, { kind: "early_data" as const, maxEarlyDataSize: max }];
          const t = acceptTicket({ ticket: { lifetime, ageAdd, nonce, ticket, extensions }, receivedAt: new Date(1000) }, "example", 0x1301, secret);
          if (!isStoredTicket(t)) throw new Error(`discarded: ${t.discarded}`);
          expect(t.maxEarlyDataSize).to.equal(max ?? 0);
          expectBytes(t.psk, oracleExpandLabel("sha256", secret, "resumption", nonce, 32), "the PSK");
          expectSame({ lifetime: t.lifetime, ageAdd: t.ageAdd, receivedAt: t.receivedAt, identity: t.identity }, { lifetime, ageAdd, receivedAt: 1000, identity: ticket }, "the stored ticket");
        },
      ),
    );
  });

  it("09.1 RFC 8446 §4.6.1: lifetime 0 discarded, over 7 days illegal_parameter, a ticket too long to offer discarded", () => {
    const base = { lifetime: 3600, ageAdd: 1, nonce: new Uint8Array(0), ticket: Uint8Array.of(1), extensions: [] };
    const accept = (over: object) => acceptTicket({ ticket: { ...base, ...over }, receivedAt: new Date() }, "example", 0x1302, new Uint8Array(48));
    expect(isStoredTicket(accept({ lifetime: 0 })), "lifetime 0").to.equal(false);
    expectTlsError(() => accept({ lifetime: 604801 }), { alert: AlertDescription.illegal_parameter, field: "ticket_lifetime" });
    expect(isStoredTicket(accept({ lifetime: 604800 })), "exactly 7 days").to.equal(true);
    expect(isStoredTicket(accept({ ticket: new Uint8Array(65530) })), "identity + 6 bytes > 2^16-1").to.equal(false);
    const kept = accept({ ticket: new Uint8Array(65529) });
    expect(isStoredTicket(kept), "identity + 6 bytes = 2^16-1").to.equal(true);
    if (isStoredTicket(kept)) expect(kept.psk.length, "SHA-384 suite: a 48-byte PSK").to.equal(48);
  });
});
