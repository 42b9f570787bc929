// The fake cloud's certificate: a real self-signed ECDSA P-256 certificate, built with earshot's
// DER writer and signed by node:crypto, so live mode needs no openssl binary. The fake Echo trusts
// exactly this certificate and nothing else.

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { certificate, pem, tbsCertificate } from './x509-certificate.js';

export function selfSignedCertificate(dnsNames: string[], now = new Date()): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = { country: 'US', organization: 'earshot simulator', commonName: 'earshot-sim simulated cloud' };
  const tbs = tbsCertificate({
    serial: randomBytes(16),
    issuer: name,
    subject: name,
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 2 * 86_400_000),
    subjectPublicKeyInfo: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    dnsNames,
    isCa: true,
    signatureAlgorithm: 'ecdsaWithSHA256',
  });
  const signature = sign('sha256', tbs, privateKey);
  return { certPem: pem('CERTIFICATE', certificate(tbs, 'ecdsaWithSHA256', new Uint8Array(signature))), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
