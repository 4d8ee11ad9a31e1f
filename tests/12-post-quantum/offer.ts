// 12.6: the client's offer, as browsers make it: X25519MLKEM768 first in supported_groups, a hybrid share and an X25519
// share beside it, the rest of the hello chapter 08's; a HelloRetryRequest's new pair made by the hybrid-aware maker.
import { expect } from "chai";
import { NamedGroup, describeCode } from "../../lib/constants.js";
import { DEFAULT_GROUPS, decodeClientHello, encodeClientHello, findExtension } from "../../chapters/01-client-hello/index.js";
import { newClientHello13 } from "../../chapters/08-tls13-handshake/index.js";
import { PQ_GROUPS, hybridOffer } from "../../chapters/12-post-quantum/index.js";
import { expectBytes, expectCode } from "../support/expect-bytes.js";
import { roots } from "../support/client-helpers.js";
import { draftShareSize } from "./vectors.js";

/** Groups as "X25519MLKEM768 (0x11ec)", so that a failure names them. */
const hex = (groups: readonly number[]) => groups.map((g) => describeCode(NamedGroup, g));
/** What chapter 08's client is told (the trust anchors are read by chapter 03 when a test asks, not at load). */
const options = { servername: "localhost", get ca() { return roots(); } };

describe("12.6 the client's offer with a hybrid key share", () => {
  it("12.6 by default: supported_groups X25519MLKEM768 first, then chapter 01's groups; key shares X25519MLKEM768 (1216 bytes) and X25519 (32)", () => {
    const offer = hybridOffer(options);
    const hello = decodeClientHello(encodeClientHello(offer.clientHello));
    const groups = findExtension(hello.extensions, "supported_groups")?.groups ?? [];
    expect(hex(groups), "supported_groups").to.deep.equal(hex([NamedGroup.X25519MLKEM768, ...DEFAULT_GROUPS]));
    const shares = findExtension(hello.extensions, "key_share")?.shares ?? [];
    expect(hex(shares.map((s) => s.group)), "the key shares' groups, in order").to.deep.equal(hex([NamedGroup.X25519MLKEM768, NamedGroup.x25519]));
    expect(shares[0]!.keyExchange.length, "the hybrid share's size").to.equal(draftShareSize("X25519MLKEM768", "client").total);
    expect(shares[1]!.keyExchange.length, "the X25519 share's size").to.equal(32);
    expect(offer.keyPairs.length, "one key pair per share").to.equal(2);
    offer.keyPairs.forEach((pair, i) => {
      expectCode(pair.group, shares[i]!.group, NamedGroup, `key pair ${i}'s group`);
      expectBytes(shares[i]!.keyExchange, pair.publicKey, `share ${i} is key pair ${i}'s public key`);
    });
    expect(offer.keyPairs[0]!.sharedSecret, "the hybrid pair finishes its own exchange").to.be.a("function");
    expect(hex(PQ_GROUPS), "PQ_GROUPS, the default supported_groups").to.deep.equal(hex(groups));
  });
  it("12.6 everything else is chapter 08's hello: the same extensions in the same order, the same suites and session id size", () => {
    const ours = hybridOffer(options).clientHello;
    const plain = newClientHello13(options).clientHello;
    expect(ours.extensions.map((e) => e.kind), "the extensions").to.deep.equal(plain.extensions.map((e) => e.kind));
    expect(hex(ours.cipherSuites), "the suites").to.deep.equal(hex(plain.cipherSuites));
    expect(ours.legacySessionId.length, "legacy_session_id").to.equal(32);
  });
  it("12.6 options.groups and keyShareGroups are followed: SecP256r1MLKEM768 alone gives one 1249-byte share", () => {
    const offer = hybridOffer({ ...options, groups: [NamedGroup.SecP256r1MLKEM768, NamedGroup.secp256r1], keyShareGroups: [NamedGroup.SecP256r1MLKEM768] });
    const shares = findExtension(offer.clientHello.extensions, "key_share")?.shares ?? [];
    expect(hex(shares.map((s) => s.group))).to.deep.equal(hex([NamedGroup.SecP256r1MLKEM768]));
    expect(shares[0]!.keyExchange.length).to.equal(draftShareSize("SecP256r1MLKEM768", "client").total);
    const p256Only = hybridOffer({ ...options, groups: [NamedGroup.SecP256r1MLKEM768] });
    const first = findExtension(p256Only.clientHello.extensions, "key_share")?.shares ?? [];
    expect(hex(first.map((s) => s.group)), "groups [SecP256r1MLKEM768] alone: a share in its first group").to.deep.equal(hex([NamedGroup.SecP256r1MLKEM768]));
    const x25519Only = hybridOffer({ ...options, keyShareGroups: [NamedGroup.x25519] });
    const only = findExtension(x25519Only.clientHello.extensions, "key_share")?.shares ?? [];
    expect(hex(only.map((s) => s.group)), "keyShareGroups [x25519]: the hybrid is listed but not shared").to.deep.equal(hex([NamedGroup.x25519]));
  });
  it("12.6 the shares follow supported_groups' order (RFC 8446 §4.2.8: they MUST appear in the same order), whatever order keyShareGroups names them in", () => {
    const offer = hybridOffer({ ...options, keyShareGroups: [NamedGroup.x25519, NamedGroup.X25519MLKEM768] });
    const shares = findExtension(offer.clientHello.extensions, "key_share")?.shares ?? [];
    expect(hex(shares.map((s) => s.group)), "the key shares' groups").to.deep.equal(hex([NamedGroup.X25519MLKEM768, NamedGroup.x25519]));
    expect(hex(offer.keyPairs.map((k) => k.group)), "the key pairs' groups").to.deep.equal(hex([NamedGroup.X25519MLKEM768, NamedGroup.x25519]));
  });
  it("12.6 a HelloRetryRequest's new pair: makeKeyPair makes a hybrid pair for a hybrid group, chapter 01's for X25519", () => {
    const offer = hybridOffer(options);
    expect(offer.makeKeyPair, "the offer's makeKeyPair (chapter 08's retry uses it)").to.be.a("function");
    expect(offer.makeKeyPair!(NamedGroup.X25519MLKEM768).publicKey.length).to.equal(1216);
    expect(offer.makeKeyPair!(NamedGroup.x25519).publicKey.length).to.equal(32);
  });
});
