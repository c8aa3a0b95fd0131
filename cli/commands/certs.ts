import { resolve } from "node:path";
import type { Command } from "commander";
import { SERVICE_NAMES } from "../../services/kit/config/ports.js";
import { generateDevCertificates } from "../../services/kit/tls/dev-certificates.js";
import { identityPaths, writeDevCertificates } from "../../services/kit/tls/write-dev-certificates.js";

interface CertsOptions {
  out: string;
  hosts: string;
  days: string;
  force: boolean;
}

/** "server" for every service of a local stack, "client" for tools, and one per service for per-service identities. */
const IDENTITIES = ["server", "client", ...SERVICE_NAMES];

export function registerCertsCommand(program: Command): void {
  program
    .command("certs")
    .description("generate a local development CA and TLS certificates (server, client, one per service) for RECMESH_TLS_*")
    .option("--out <dir>", "where to write the PEM files", ".data/certs")
    .option("--hosts <list>", "comma-separated IPs and DNS names every certificate is valid for", "127.0.0.1,localhost")
    .option("--days <n>", "validity of the certificates in days", "365")
    .option("--force", "replace an existing CA and its certificates", false)
    .action((options: CertsOptions, command: Command) => {
      try {
        runCerts(options);
      } catch (err) {
        command.error(`recmesh certs: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
}

function runCerts(options: CertsOptions): void {
  const days = Number(options.days);
  const hosts = options.hosts.split(",").map((h) => h.trim()).filter((h) => h !== "");
  if (!Number.isInteger(days) || days < 1) throw new Error(`--days: expected a positive integer (got "${options.days}")`);
  if (hosts.length === 0) throw new Error("--hosts: expected at least one IP or DNS name");
  const dir = resolve(options.out);
  const written = writeDevCertificates(dir, generateDevCertificates({ hosts, names: IDENTITIES, days }), { force: options.force });
  const server = identityPaths(dir, "server");
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`wrote ${written.length} files to ${dir} (keys 0600), valid for ${hosts.join(", ")}:`);
  for (const path of written) say(`  ${path}`);
  say("");
  say("Mutual TLS for every service (and the clients they build):");
  say(`  export RECMESH_TLS_CA=${resolve(dir, "ca.pem")}`);
  say(`  export RECMESH_TLS_CERT=${server.cert}`);
  say(`  export RECMESH_TLS_KEY=${server.key}`);
  say("  export RECMESH_TLS_CLIENT_AUTH=require");
  const client = identityPaths(dir, "client");
  say(`grpcurl: grpcurl -cacert ${resolve(dir, "ca.pem")} -cert ${client.cert} -key ${client.key} 127.0.0.1:50051 list`);
}
