// Keys for the signature tests of chapters 03, 05 and 08: the RSA-PSS fixture keys relabelled so that OpenSSL signs
// with parameters the keys themselves forbid (a signature whose numbers are right, for a test that the restriction,
// not the arithmetic, refuses it). Written from X.690 §8 and RFC 5208 §5 (PKCS #8), independent of chapter 03.
import crypto from "node:crypto";

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let m = n; m > 0; m >>= 8) out.unshift(m & 0xff);
  return [0x80 | out.length, ...out];
}

/** One TLV with the shortest length (X.690 §10.1). */
function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return new Uint8Array(Buffer.concat([Buffer.from([tag, ...lengthBytes(body.length)]), body]));
}

/** The elements inside a DER SEQUENCE, each as its whole TLV. */
function elements(der: Uint8Array): Uint8Array[] {
  const header = (at: number): [number, number] => {
    const first = der[at + 1]!;
    if (first < 0x80) return [2, first];
    let n = 0;
    for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + der[at + 2 + i]!;
    return [2 + (first & 0x7f), n];
  };
  const out: Uint8Array[] = [];
  for (let at = header(0)[0]; at < der.length; ) {
    const [h, n] = header(at);
    out.push(der.slice(at, at + h + n));
    at += h + n;
  }
  return out;
}

/** AlgorithmIdentifier rsaEncryption with NULL parameters (RFC 8017 Appendix A.1): 30 0d 06 09 2a864886f70d010101 05 00. */
const RSA_ENCRYPTION = Uint8Array.from(Buffer.from("300d06092a864886f70d0101010500", "hex"));

/**
 * The same RSA private key labelled rsaEncryption instead of id-RSASSA-PSS (PKCS #8 PrivateKeyInfo: version,
 * AlgorithmIdentifier, privateKey; the RSAPrivateKey inside is unchanged). OpenSSL lets it sign with any padding and
 * parameters: same n, e and d as the restricted key.
 */
export function unrestrictedTwin(pssKey: crypto.KeyObject): crypto.KeyObject {
  const [version, , privateKey] = elements(new Uint8Array(pssKey.export({ type: "pkcs8", format: "der" })));
  return crypto.createPrivateKey({ key: Buffer.from(tlv(0x30, version!, RSA_ENCRYPTION, privateKey!)), format: "der", type: "pkcs8" });
}
