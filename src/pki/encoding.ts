import { createHash } from 'node:crypto';

/** The DER inside one PEM block (the first one when there are several). */
export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(pem);
  return Buffer.from((m ? m[1]! : pem).replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;
}

/** SHA-256 as upper-case hex: X-Road's certificate hash. */
export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').toUpperCase();
}

/** Bytes as colon-separated upper-case hex pairs (AB:CD:…), the way openssl prints fingerprints. */
export function formatFingerprint(buf: Buffer): string {
  return buf.toString('hex').toUpperCase().match(/../g)!.join(':');
}

/** The colon-separated SHA-256 fingerprint of DER bytes (a certificate's, for a TLS pin). */
export function sha256Fingerprint(der: Buffer): string {
  return formatFingerprint(createHash('sha256').update(der).digest());
}

/** A certificate serial in hex as one comparable form: lower case, no leading zeros (DER may add a 00 byte). */
export function bareSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}
