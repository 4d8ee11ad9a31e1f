// Finite-field Diffie-Hellman for TLS 1.2's DHE suites: the five groups of RFC 7919, the checks a client makes on
// the server's p, g and Ys, the client's key pair and the shared secret Z, which (leading zero bytes stripped) is
// the premaster secret. All of it is modular exponentiation on BigInt, with chapter 03's modPow.
// Read RFC 7919 §3, §5.1, §5.2 and Appendix A, and RFC 5246 §8.1.2.
import { randomBytes } from "@noble/hashes/utils.js";
import { AlertDescription, NamedGroup } from "../../lib/constants.js";
import { TlsError, illegalParameter } from "../../lib/errors.js";
import { bigIntToBytes, bitLength, bytesToBigInt, modPow } from "../03-certificates/index.js";
import type { DhParams } from "./server-key-exchange.js";

/** A number printed in hexadecimal as RFC 7919 prints it: groups of 8 digits, spaces and line breaks between. */
function rfcHex(text: string): bigint {
  return BigInt("0x" + text.replace(/\s+/g, ""));
}

// The primes of RFC 7919 Appendix A, as the RFC prints them. Each is a safe prime (q = (p−1)/2 is prime too),
// built from the digits of e so that nobody could have chosen it to hide a weakness:
//   p = 2^b − 2^(b−64) + {[2^(b−130) · e] + X} · 2^64 − 1
// The top and bottom 64 bits are all ones, which makes reductions mod p a little cheaper.

/** ffdhe2048 (NamedGroup 0x0100), RFC 7919 Appendix A.1: the 2048-bit modulus p. */
export const FFDHE2048_P = rfcHex(`
  FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
  D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
  7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
  2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
  984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
  30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
  B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
  0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
  9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
  3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
  886B4238 61285C97 FFFFFFFF FFFFFFFF
`);

/** ffdhe3072 (NamedGroup 0x0101), RFC 7919 Appendix A.2: the 3072-bit modulus p. */
export const FFDHE3072_P = rfcHex(`
  FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
  D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
  7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
  2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
  984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
  30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
  B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
  0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
  9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
  3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
  886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238
  61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C
  AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3
  64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D
  ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF
  3C1B20EE 3FD59D7C 25E41D2B 66C62E37 FFFFFFFF FFFFFFFF
`);

/** ffdhe4096 (NamedGroup 0x0102), RFC 7919 Appendix A.3: the 4096-bit modulus p. */
export const FFDHE4096_P = rfcHex(`
  FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
  D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
  7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
  2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
  984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
  30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
  B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
  0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
  9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
  3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
  886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238
  61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C
  AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3
  64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D
  ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF
  3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB
  7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004
  87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832
  A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A
  1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF
  8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E655F6A
  FFFFFFFF FFFFFFFF
`);

/** ffdhe6144 (NamedGroup 0x0103), RFC 7919 Appendix A.4: the 6144-bit modulus p. */
export const FFDHE6144_P = rfcHex(`
  FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
  D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
  7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
  2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
  984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
  30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
  B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
  0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
  9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
  3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
  886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238
  61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C
  AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3
  64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D
  ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF
  3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB
  7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004
  87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832
  A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A
  1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF
  8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E0DD902
  0BFD64B6 45036C7A 4E677D2C 38532A3A 23BA4442 CAF53EA6
  3BB45432 9B7624C8 917BDD64 B1C0FD4C B38E8C33 4C701C3A
  CDAD0657 FCCFEC71 9B1F5C3E 4E46041F 388147FB 4CFDB477
  A52471F7 A9A96910 B855322E DB6340D8 A00EF092 350511E3
  0ABEC1FF F9E3A26E 7FB29F8C 183023C3 587E38DA 0077D9B4
  763E4E4B 94B2BBC1 94C6651E 77CAF992 EEAAC023 2A281BF6
  B3A739C1 22611682 0AE8DB58 47A67CBE F9C9091B 462D538C
  D72B0374 6AE77F5E 62292C31 1562A846 505DC82D B854338A
  E49F5235 C95B9117 8CCF2DD5 CACEF403 EC9D1810 C6272B04
  5B3B71F9 DC6B80D6 3FDD4A8E 9ADB1E69 62A69526 D43161C1
  A41D570D 7938DAD4 A40E329C D0E40E65 FFFFFFFF FFFFFFFF
`);

/** ffdhe8192 (NamedGroup 0x0104), RFC 7919 Appendix A.5: the 8192-bit modulus p. */
export const FFDHE8192_P = rfcHex(`
  FFFFFFFF FFFFFFFF ADF85458 A2BB4A9A AFDC5620 273D3CF1
  D8B9C583 CE2D3695 A9E13641 146433FB CC939DCE 249B3EF9
  7D2FE363 630C75D8 F681B202 AEC4617A D3DF1ED5 D5FD6561
  2433F51F 5F066ED0 85636555 3DED1AF3 B557135E 7F57C935
  984F0C70 E0E68B77 E2A689DA F3EFE872 1DF158A1 36ADE735
  30ACCA4F 483A797A BC0AB182 B324FB61 D108A94B B2C8E3FB
  B96ADAB7 60D7F468 1D4F42A3 DE394DF4 AE56EDE7 6372BB19
  0B07A7C8 EE0A6D70 9E02FCE1 CDF7E2EC C03404CD 28342F61
  9172FE9C E98583FF 8E4F1232 EEF28183 C3FE3B1B 4C6FAD73
  3BB5FCBC 2EC22005 C58EF183 7D1683B2 C6F34A26 C1B2EFFA
  886B4238 611FCFDC DE355B3B 6519035B BC34F4DE F99C0238
  61B46FC9 D6E6C907 7AD91D26 91F7F7EE 598CB0FA C186D91C
  AEFE1309 85139270 B4130C93 BC437944 F4FD4452 E2D74DD3
  64F2E21E 71F54BFF 5CAE82AB 9C9DF69E E86D2BC5 22363A0D
  ABC52197 9B0DEADA 1DBF9A42 D5C4484E 0ABCD06B FA53DDEF
  3C1B20EE 3FD59D7C 25E41D2B 669E1EF1 6E6F52C3 164DF4FB
  7930E9E4 E58857B6 AC7D5F42 D69F6D18 7763CF1D 55034004
  87F55BA5 7E31CC7A 7135C886 EFB4318A ED6A1E01 2D9E6832
  A907600A 918130C4 6DC778F9 71AD0038 092999A3 33CB8B7A
  1A1DB93D 7140003C 2A4ECEA9 F98D0ACC 0A8291CD CEC97DCF
  8EC9B55A 7F88A46B 4DB5A851 F44182E1 C68A007E 5E0DD902
  0BFD64B6 45036C7A 4E677D2C 38532A3A 23BA4442 CAF53EA6
  3BB45432 9B7624C8 917BDD64 B1C0FD4C B38E8C33 4C701C3A
  CDAD0657 FCCFEC71 9B1F5C3E 4E46041F 388147FB 4CFDB477
  A52471F7 A9A96910 B855322E DB6340D8 A00EF092 350511E3
  0ABEC1FF F9E3A26E 7FB29F8C 183023C3 587E38DA 0077D9B4
  763E4E4B 94B2BBC1 94C6651E 77CAF992 EEAAC023 2A281BF6
  B3A739C1 22611682 0AE8DB58 47A67CBE F9C9091B 462D538C
  D72B0374 6AE77F5E 62292C31 1562A846 505DC82D B854338A
  E49F5235 C95B9117 8CCF2DD5 CACEF403 EC9D1810 C6272B04
  5B3B71F9 DC6B80D6 3FDD4A8E 9ADB1E69 62A69526 D43161C1
  A41D570D 7938DAD4 A40E329C CFF46AAA 36AD004C F600C838
  1E425A31 D951AE64 FDB23FCE C9509D43 687FEB69 EDD1CC5E
  0B8CC3BD F64B10EF 86B63142 A3AB8829 555B2F74 7C932665
  CB2C0F1C C01BD702 29388839 D2AF05E4 54504AC7 8B758282
  2846C0BA 35C35F5C 59160CC0 46FD8251 541FC68C 9C86B022
  BB709987 6A460E74 51A8A931 09703FEE 1C217E6C 3826E52C
  51AA691E 0E423CFC 99E9E316 50C1217B 624816CD AD9A95F9
  D5B80194 88D9C0A0 A1FE3075 A577E231 83F81D4A 3F2FA457
  1EFC8CE0 BA8A4FE8 B6855DFE 72B0A66E DED2FBAB FBE58A30
  FAFABE1C 5D71A87E 2F741EF8 C1FE86FE A6BBFDE5 30677F0D
  97D11D49 F7A8443D 0822E506 A9F4614E 011E2A94 838FF88C
  D68C8BB7 C5C6424C FFFFFFFF FFFFFFFF
`);
/** The generator of every RFC 7919 group (Appendix A: "The generator is: g = 2"). */
export const FFDHE_GENERATOR = 2n;

/** NamedGroup code point → prime, for the five groups (RFC 7919 Appendix A, §8). */
export const FFDHE_GROUPS: ReadonlyMap<number, bigint> = new Map([
  [NamedGroup.ffdhe2048, FFDHE2048_P],
  [NamedGroup.ffdhe3072, FFDHE3072_P],
  [NamedGroup.ffdhe4096, FFDHE4096_P],
  [NamedGroup.ffdhe6144, FFDHE6144_P],
  [NamedGroup.ffdhe8192, FFDHE8192_P],
]);

/**
 * Our policy on the size of p. Below 2048 bits we refuse: 512-bit "export" groups fell to Logjam (2015), whose
 * authors also estimated that a nation-state could break a widely shared 1024-bit group. RFC 7919 §3 lets a client
 * end the handshake with insufficient_security when it does not accept the server's group, and §3.1 asks clients
 * to check the size of custom groups.
 */
export const MIN_DH_BITS = 2048;
/** Above the largest RFC 7919 group we refuse too: an enormous p would only make us compute for minutes. */
export const MAX_DH_BITS = 8192;

/**
 * The RFC 7919 group with this exact p and g, as its NamedGroup code point, or undefined for any other group
 * (a "custom" group, which a server may still send in TLS 1.2).
 */
export function identifyFfdheGroup(p: bigint, g: bigint): number | undefined {
  // EXERCISE 05.4: recognise an RFC 7919 group: look p up among FFDHE_GROUPS' primes; it is that group only if g is
  // also FFDHE_GENERATOR (2). Return the NamedGroup code point (the map's key), or undefined. (RFC 7919 Appendix A)
  if (g !== FFDHE_GENERATOR) return undefined;
  for (const [group, prime] of FFDHE_GROUPS) if (prime === p) return group;
  return undefined;
  // END 05.4
}

/**
 * Checks the server's DH values (RFC 7919 §3, §5.1) and returns them as numbers. Call it after the signature
 * check: until then, the values could come from anyone. A Ys out of range is illegal_parameter, RFC 5246 §7.2.2's
 * alert for "a field in the handshake was out of range", as everywhere in this project; RFC 7919 §3 itself names
 * handshake_failure for it.
 */
export function checkDhParams(params: DhParams): { p: bigint; g: bigint; ys: bigint } {
  // EXERCISE 05.4: read the three as unsigned big-endian numbers (bytesToBigInt). Then, in this order: p must be odd
  // (an even number is not a prime): illegal_parameter "dh_p". Its size, bitLength(p), must be at least MIN_DH_BITS:
  // smaller is insufficient_security "dh_p" (RFC 7919 §3, §3.1: our local policy); larger than MAX_DH_BITS is
  // illegal_parameter "dh_p". 1 < g < p−1, else illegal_parameter "dh_g". 1 < Ys < p−1, else illegal_parameter
  // "dh_Ys" (RFC 7919 §5.1: Ys = 1 or p−1 would force the shared secret into {1, p−1}, a subgroup of two elements,
  // which an attacker can predict; 0 and p and beyond are not even in the group). Say in each message what was wrong
  // (e.g. the size in bits).
  const p = bytesToBigInt(params.p);
  const g = bytesToBigInt(params.g);
  const ys = bytesToBigInt(params.ys);
  if ((p & 1n) === 0n) throw illegalParameter("dh_p", "p is even, so it is not a prime");
  const bits = bitLength(p);
  if (bits < MIN_DH_BITS) {
    throw new TlsError(AlertDescription.insufficient_security, `a ${bits}-bit p is too small: we accept ${MIN_DH_BITS} bits and more`, {
      field: "dh_p",
    });
  }
  if (bits > MAX_DH_BITS) throw illegalParameter("dh_p", `a ${bits}-bit p is larger than the ${MAX_DH_BITS} bits we accept`);
  if (g <= 1n || g >= p - 1n) throw illegalParameter("dh_g", `g must satisfy 1 < g < p−1, got ${g <= 1n ? g : "a value ≥ p−1"}`);
  if (ys <= 1n || ys >= p - 1n) {
    throw illegalParameter("dh_Ys", `Ys must satisfy 1 < Ys < p−1 (RFC 7919 §5.1), got ${describeEdge(ys, p)}`);
  }
  return { p, g, ys };
  // END 05.4
}

/** "0", "1", "p−1", "p", "p+5": how a value outside 2 … p−2 relates to p, for error messages. */
function describeEdge(y: bigint, p: bigint): string {
  if (y <= 1n) return String(y);
  if (y === p - 1n) return "p−1";
  if (y === p) return "p";
  return y > p ? `p+${y - p}` : `a ${bitLength(y)}-bit number`;
}

/** A client's DH key pair: the secret exponent x and the public value Yc = g^x mod p as bytes. */
export interface DhKeyPair {
  privateKey: bigint;
  publicKey: Uint8Array;
}

/** How many times dhKeyPair draws before deciding the random source is broken. */
const MAX_DRAWS = 64;

/**
 * A fresh key pair in the group (p, g). `random(n)` gives n random bytes; tests pass their own to get known keys.
 */
export function dhKeyPair(p: bigint, g: bigint, random: (n: number) => Uint8Array = randomBytes): DhKeyPair {
  // EXERCISE 05.5: make the client's key pair. Draw the secret x uniformly from 2 … p−2 (RFC 7919 §5.2's
  // "traditional" range) by rejection: take ⌈bitLength(p)/8⌉ random bytes, keep the low bitLength(p) bits (mask off
  // the rest), and accept x if 2 ≤ x ≤ p−2, else draw again; after MAX_DRAWS failures, throw internal_error (the
  // random source is broken). Do NOT reduce mod p instead: that makes small values more likely than others. The
  // public value Yc = g^x mod p (modPow), written as bytes as long as p's byte length (bigIntToBytes), the same
  // length TLS 1.3 insists on (RFC 8446 §4.2.8.1) and what OpenSSL sends.
  const bits = bitLength(p);
  const size = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const x = bytesToBigInt(random(size)) & mask;
    if (x < 2n || x > p - 2n) continue;
    return { privateKey: x, publicKey: bigIntToBytes(modPow(g, x, p), size) };
  }
  throw new TlsError(AlertDescription.internal_error, `${MAX_DRAWS} random draws gave no exponent in 2 … p−2`, { field: "random" });
  // END 05.5
}

/**
 * The premaster secret of a DHE handshake: Z = Ys^x mod p, as bytes without leading zeros (RFC 5246 §8.1.2).
 */
export function dhPremaster(privateKey: bigint, ys: bigint, p: bigint): Uint8Array {
  // EXERCISE 05.5: first the peer's value again: 1 < ys < p−1, else illegal_parameter "dh_Ys" (so this function is
  // safe on its own). Z = modPow(ys, privateKey, p). Z of 0, 1 or p−1 means the exchange landed in a trivial
  // subgroup: illegal_parameter "Z". Return Z as big-endian bytes with every leading zero byte stripped, i.e. exactly
  // ⌈bitLength(Z)/8⌉ bytes: RFC 5246 §8.1.2 says so for TLS 1.2. (TLS 1.3 does the opposite and pads Z to p's length,
  // RFC 8446 §7.4.1: about one handshake in 256 has a zero byte in front, and gets it wrong if you mix the two up.)
  if (ys <= 1n || ys >= p - 1n) {
    throw illegalParameter("dh_Ys", `Ys must satisfy 1 < Ys < p−1 (RFC 7919 §5.1), got ${describeEdge(ys, p)}`);
  }
  const z = modPow(ys, privateKey, p);
  if (z <= 1n || z === p - 1n) throw illegalParameter("Z", `the shared secret is ${describeEdge(z, p)}, a value an attacker can predict`);
  return bigIntToBytes(z, Math.ceil(bitLength(z) / 8));
  // END 05.5
}
