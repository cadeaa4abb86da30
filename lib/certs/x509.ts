/**
 * Making certificates in pure Node (WebCrypto + @peculiar/x509): no openssl,
 * so `npm run certs` works the same on Linux, macOS and Windows.
 *
 * Keys are ECDSA P-256, written as PKCS#8 PEM ("BEGIN PRIVATE KEY"), which
 * both etcd (Go) and gRPC (Node) read.
 */
import 'reflect-metadata'; // @peculiar/x509 needs it loaded first
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface Pem {
  cert: string;
  key: string;
}

export interface Issuer {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function keyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // a positive number
  return bytes.toString('hex');
}

function validity(days: number) {
  const now = Date.now();
  // An hour back: a clock a little behind must not see "not yet valid".
  return { notBefore: new Date(now - 3_600_000), notAfter: new Date(now + days * DAY_MS) };
}

export async function createCa(commonName: string, days: number): Promise<Issuer & { pem: Pem }> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    ...validity(days),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, pem: { cert: cert.toString('pem'), key: await keyPem(keys) } };
}

export interface LeafOptions {
  commonName: string;
  /** DNS names and IP addresses the certificate is valid for (servers). */
  hosts?: string[];
  /** serverAuth, clientAuth or both (etcd's own health probes use the server certificate as a client). */
  usages: ('server' | 'client')[];
  days: number;
}

export async function issue(issuer: Issuer, options: LeafOptions): Promise<Pem> {
  const keys = await keyPair();
  const purposes = options.usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth));
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(purposes, false),
    await x509.AuthorityKeyIdentifierExtension.create(issuer.cert, false),
  ];
  if (options.hosts?.length) {
    extensions.push(new x509.SubjectAlternativeNameExtension(
      options.hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h })),
    ));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${options.commonName}`,
    issuer: issuer.cert.subject,
    ...validity(options.days),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys) };
}

/** Reads a CA back from its PEM files, to sign more certificates with it. */
export async function loadIssuer(pem: Pem): Promise<Issuer> {
  const cert = new x509.X509Certificate(pem.cert);
  const der = x509.PemConverter.decodeFirst(pem.key);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
  return { cert, keys: { privateKey, publicKey: await cert.publicKey.export(ALGORITHM, ['verify']) } as CryptoKeyPair };
}

export interface CertFacts {
  commonName: string;
  /** The common name of the CA that signed it. */
  issuerName: string;
  notAfter: Date;
  hosts: string[];
  /** Whether `ca` signed it (and it is within its validity). */
  signedBy: (ca: string) => Promise<boolean>;
  /** Whether `keyPem` is this certificate's private key. */
  matchesKey: (keyPem: string) => Promise<boolean>;
}

export function inspect(certPem: string): CertFacts {
  const cert = new x509.X509Certificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return {
    commonName: /CN=([^,]+)/.exec(cert.subject)?.[1] ?? '',
    issuerName: /CN=([^,]+)/.exec(cert.issuer)?.[1] ?? '',
    notAfter: cert.notAfter,
    hosts: san ? san.names.items.map((n) => n.value) : [],
    signedBy: async (ca) => {
      try {
        return await cert.verify({ publicKey: new x509.X509Certificate(ca), date: new Date() });
      } catch {
        return false;
      }
    },
    matchesKey: async (keyPem) => {
      try {
        const privateKey = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), ALGORITHM, true, ['sign']);
        const data = randomBytes(32);
        const signature = await webcrypto.subtle.sign(ALGORITHM, privateKey, data);
        const publicKey = await cert.publicKey.export(ALGORITHM, ['verify']);
        return await webcrypto.subtle.verify(ALGORITHM, publicKey, signature, data);
      } catch {
        return false;
      }
    },
  };
}
