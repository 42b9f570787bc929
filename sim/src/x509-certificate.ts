// X.509 v3 certificates built from parts. Offline captures carry certificates with stand-in keys
// and signatures (tshark checks structure, not signatures); live mode signs a real self-signed one
// with node:crypto, so nothing outside the simulator is needed to run real TLS.

import { concat } from './frame-builder.js';
import { bitString, boolean, explicit, nullValue, objectIdentifier, octetString, printableString, sequence, set, smallInteger, tlv, unsignedInteger, utcTime, utf8String } from './der.js';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  country: '2.5.4.6',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

export interface DistinguishedName {
  country: string;
  organization: string;
  commonName: string;
}

export interface CertificateFields {
  serial: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** A DER SubjectPublicKeyInfo. */
  subjectPublicKeyInfo: Uint8Array;
  dnsNames: string[];
  isCa: boolean;
  signatureAlgorithm: 'sha256WithRSA' | 'ecdsaWithSHA256';
}

function name(dn: DistinguishedName): Uint8Array {
  const attribute = (oid: string, value: Uint8Array): Uint8Array => set(sequence(objectIdentifier(oid), value));
  return sequence(attribute(OID.country, printableString(dn.country)), attribute(OID.organization, utf8String(dn.organization)), attribute(OID.commonName, utf8String(dn.commonName)));
}

export function signatureAlgorithmIdentifier(algorithm: CertificateFields['signatureAlgorithm']): Uint8Array {
  // RFC 4055 puts NULL parameters on RSA; RFC 5758 leaves them out for ECDSA.
  return algorithm === 'sha256WithRSA' ? sequence(objectIdentifier(OID.sha256WithRsa), nullValue()) : sequence(objectIdentifier(OID.ecdsaWithSha256));
}

/** The to-be-signed part of a certificate. */
export function tbsCertificate(fields: CertificateFields): Uint8Array {
  const extensions: Uint8Array[] = [];
  if (fields.dnsNames.length > 0) {
    const names = sequence(...fields.dnsNames.map((dns) => tlv(0x82, new TextEncoder().encode(dns))));
    extensions.push(sequence(objectIdentifier(OID.subjectAltName), octetString(names)));
  }
  extensions.push(sequence(objectIdentifier(OID.basicConstraints), boolean(true), octetString(sequence(...(fields.isCa ? [boolean(true)] : [])))));
  return sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(fields.serial),
    signatureAlgorithmIdentifier(fields.signatureAlgorithm),
    name(fields.issuer),
    sequence(utcTime(fields.notBefore), utcTime(fields.notAfter)),
    name(fields.subject),
    fields.subjectPublicKeyInfo,
    explicit(3, sequence(...extensions)),
  );
}

export function certificate(tbs: Uint8Array, algorithm: CertificateFields['signatureAlgorithm'], signature: Uint8Array): Uint8Array {
  return sequence(tbs, signatureAlgorithmIdentifier(algorithm), bitString(signature));
}

/** An RSA SubjectPublicKeyInfo around a given modulus (stand-in bytes offline). */
export function rsaPublicKeyInfo(modulus: Uint8Array): Uint8Array {
  const key = sequence(unsignedInteger(concat(Uint8Array.of(modulus[0] | 0x80), modulus.subarray(1))), smallInteger(65537));
  return sequence(sequence(objectIdentifier(OID.rsaEncryption), nullValue()), bitString(key));
}

/** PEM armour for DER bytes. */
export function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
