import { X509Certificate, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { z } from "zod";

/** A file named by an environment variable, read at start; it serialises as its path only, so a logged config never shows the contents. */
export class ConfigFile {
  constructor(
    readonly path: string,
    readonly contents: Buffer,
  ) {}

  toJSON(): string {
    return this.path;
  }

  [inspect.custom](): string {
    return `ConfigFile(${this.path})`;
  }
}

/** A secret from the environment; it serialises as "[redacted]" so no log or error message can print it. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return "[redacted]";
  }

  toString(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "Secret([redacted])";
  }
}

/** A secret environment variable. */
export const secret = z
  .string()
  .transform((v) => new Secret(v))
  .optional();

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readFile(path: string, ctx: z.RefinementCtx): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : String(code);
    ctx.addIssue({ code: "custom", message: `cannot read the file: ${reason}` });
    return undefined;
  }
}

/** The certificates of a PEM file (one, or a CA bundle), each parsed. */
export function parseCertificates(pem: Buffer): X509Certificate[] {
  return (pem.toString("utf8").match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

/** A PEM file of one or more X.509 certificates, none expired. */
export const certificateFile = z
  .string()
  .transform((path, ctx) => {
    const contents = readFile(path, ctx);
    if (!contents) return z.NEVER;
    let certificates: X509Certificate[];
    try {
      certificates = parseCertificates(contents);
    } catch {
      certificates = [];
    }
    if (certificates.length === 0) {
      ctx.addIssue({ code: "custom", message: "not a PEM certificate file" });
      return z.NEVER;
    }
    const expired = certificates.find((c) => new Date(c.validTo).getTime() < Date.now());
    if (expired) {
      ctx.addIssue({ code: "custom", message: `certificate "${expired.subject.replace(/\n/g, ", ")}" expired on ${expired.validTo}` });
      return z.NEVER;
    }
    return new ConfigFile(path, contents);
  })
  .optional();

/** A PEM file of one unencrypted private key. */
export const privateKeyFile = z
  .string()
  .transform((path, ctx) => {
    const contents = readFile(path, ctx);
    if (!contents) return z.NEVER;
    try {
      createPrivateKey(contents);
    } catch {
      ctx.addIssue({ code: "custom", message: "not an unencrypted PEM private key" });
      return z.NEVER;
    }
    return new ConfigFile(path, contents);
  })
  .optional();

/** A NATS credentials file (user JWT and nkey seed), as `nsc` writes it. */
export const natsCredsFile = z
  .string()
  .transform((path, ctx) => {
    const contents = readFile(path, ctx);
    if (!contents) return z.NEVER;
    const text = contents.toString("utf8");
    if (!text.includes("BEGIN NATS USER JWT") || !text.includes("BEGIN USER NKEY SEED")) {
      ctx.addIssue({ code: "custom", message: "not a NATS credentials file (expected a user JWT and an nkey seed)" });
      return z.NEVER;
    }
    return new ConfigFile(path, contents);
  })
  .optional();
