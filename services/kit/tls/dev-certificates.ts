import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

/** A certificate and its private key, PEM encoded. */
export interface PemIdentity {
  name: string;
  certPem: string;
  keyPem: string;
}

export interface DevCertificates {
  /** The CA certificate; its key is not kept: a new set means a new CA. */
  caPem: string;
  /** Leaf certificates signed by the CA, usable as server and as client (mTLS). */
  identities: PemIdentity[];
}

export interface DevCertificateOptions {
  /** Subject alternative names every leaf certificate carries (IPs and DNS names). */
  hosts: string[];
  /** One leaf per name; the name is its subject CN and also one of its DNS names. */
  names: string[];
  /** Validity of the leaf certificates; the CA lasts twice as long. */
  days: number;
}

const RSA_BITS = 2048;
/** Certificates are valid from a little in the past, so a clock slightly behind does not reject them. */
const BACKDATE_MS = 3_600_000;

/** A local development CA and leaf certificates signed by it (RSA 2048, SHA-256), built with node-forge. */
export function generateDevCertificates(options: DevCertificateOptions): DevCertificates {
  const caKeys = forge.pki.rsa.generateKeyPair({ bits: RSA_BITS });
  const caSubject = [{ name: "commonName", value: `recmesh development CA ${new Date().toISOString().slice(0, 10)}` }, { name: "organizationName", value: "recmesh" }];
  const ca = newCertificate(caKeys.publicKey, caSubject, caSubject, options.days * 2);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const identities = options.names.map((name) => {
    const keys = forge.pki.rsa.generateKeyPair({ bits: RSA_BITS });
    const subject = [{ name: "commonName", value: name }, { name: "organizationName", value: "recmesh" }];
    const cert = newCertificate(keys.publicKey, subject, ca.subject.attributes, options.days);
    const altNames = [...new Set([...options.hosts, name])].map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host }));
    cert.setExtensions([
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames },
      { name: "subjectKeyIdentifier" },
      { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(caKeys.privateKey, forge.md.sha256.create());
    return { name, certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
  });

  return {
    caPem: forge.pki.certificateToPem(ca),
    identities,
  };
}

function newCertificate(publicKey: forge.pki.PublicKey, subject: forge.pki.CertificateField[], issuer: forge.pki.CertificateField[], days: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive 128-bit serial: the high bit cleared so DER does not read it as negative.
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString("hex");
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + days * 86_400_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  return cert;
}
