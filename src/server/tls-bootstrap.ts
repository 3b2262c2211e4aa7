// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata
// API loaded first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

/** The gateway's serving certificate and the CA that clients trust for it. */
export interface ServingTls {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const CA_YEARS = 10;
const SERVING_DAYS = 365;
const RENEW_BEFORE_DAYS = 30;

/** Writes a file whole or not at all, so a reader never sees half a certificate. */
function writeAtomically(path: string, content: string, mode = 0o644): void {
  writeFileSync(`${path}.tmp`, content, { mode });
  renameSync(`${path}.tmp`, path);
}

function pemKey(der: ArrayBuffer): string {
  const base64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${base64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']) as Promise<webcrypto.CryptoKey>;
}

/**
 * A self-signed CA and a serving certificate under <dataDir>/tls, made on first start, as
 * kube-apiserver does without --tls-cert-file: kubectl sends bearer tokens only over
 * HTTPS. The serving certificate is re-issued when the host names change or it nears
 * expiry; the CA stays, so kubeconfigs and agents handed out before keep working.
 */
export async function ensureServingTls(
  dataDir: string,
  hosts: readonly string[],
  options: {
    /** False: the certificate names `hosts` only, not also localhost, 127.0.0.1 and ::1. */
    readonly loopback?: boolean;
  } = {},
): Promise<ServingTls> {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    hosts: join(dir, 'hosts.json'),
  };
  const loopback = options.loopback === false ? [] : ['localhost', '127.0.0.1', '::1'];
  const wanted = [...new Set([...loopback, ...hosts])].sort();

  if (!existsSync(paths.caCert) || !existsSync(paths.caKey)) {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const notBefore = new Date(Date.now() - 60_000);
    const ca = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex'),
      name: 'CN=fleetgate gateway CA',
      notBefore,
      notAfter: new Date(notBefore.getTime() + CA_YEARS * 365 * 86_400_000),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    writeAtomically(paths.caKey, pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), 0o600);
    writeAtomically(paths.caCert, ca.toString('pem'));
  }
  const caPem = readFileSync(paths.caCert, 'utf8');
  const current = existsSync(paths.hosts) ? (JSON.parse(readFileSync(paths.hosts, 'utf8')) as string[]) : [];
  const fresh =
    existsSync(paths.cert) &&
    JSON.stringify(current) === JSON.stringify(wanted) &&
    new x509.X509Certificate(readFileSync(paths.cert, 'utf8')).notAfter.getTime() - Date.now() >
      RENEW_BEFORE_DAYS * 86_400_000;
  if (!fresh) {
    const ca = new x509.X509Certificate(caPem);
    const caKey = await importKey(readFileSync(paths.caKey, 'utf8'));
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const notBefore = new Date(Date.now() - 60_000);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex'),
      subject: 'CN=fleetgate gateway',
      issuer: ca.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + SERVING_DAYS * 86_400_000),
      signingKey: caKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(
          wanted.map((host) => ({ type: isIP(host) ? 'ip' : 'dns', value: host }) as const),
        ),
        await x509.AuthorityKeyIdentifierExtension.create(ca),
      ],
    });
    writeAtomically(paths.key, pemKey(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)), 0o600);
    writeAtomically(paths.cert, `${cert.toString('pem')}\n`);
    writeAtomically(paths.hosts, JSON.stringify(wanted));
  }
  return { certPem: readFileSync(paths.cert, 'utf8'), keyPem: readFileSync(paths.key, 'utf8'), caPem };
}
