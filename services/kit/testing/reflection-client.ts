import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { create, createFileRegistry, fromBinary, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { credentials, loadPackageDefinition, type ClientDuplexStream, type GrpcObject } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";

export type ReflectionVersion = "v1" | "v1alpha";

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type ReflectionStream = ClientDuplexStream<Record<string, unknown>, ReflectionResponse>;

const require = createRequire(import.meta.url);
const protoRoot = join(dirname(require.resolve("@grpc/reflection/package.json")), "build", "proto");

/**
 * A server-reflection client that behaves like grpcurl: it asks only the wire
 * protocol (no access to the server's internals), follows every import by file
 * name, and builds a registry that fails on an unresolvable type or import.
 */
export class ReflectionClient {
  private readonly stream: ReflectionStream;
  private readonly pending: { resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }[] = [];

  constructor(address: string, version: ReflectionVersion) {
    const definition = loadSync(join(protoRoot, "grpc", "reflection", version, "reflection.proto"), { keepCase: false, longs: String });
    const pkg = loadPackageDefinition(definition) as unknown as { grpc: { reflection: Record<string, GrpcObject> } };
    const Ctor = pkg.grpc.reflection[version]?.ServerReflection as unknown as new (a: string, c: ReturnType<typeof credentials.createInsecure>) => {
      serverReflectionInfo(): ReflectionStream;
      close(): void;
    };
    const client = new Ctor(address, credentials.createInsecure());
    this.stream = client.serverReflectionInfo();
    this.stream.on("data", (r: ReflectionResponse) => this.pending.shift()?.resolve(r));
    this.stream.on("error", (err: Error) => {
      for (const p of this.pending.splice(0)) p.reject(err);
    });
    this.close = () => {
      this.stream.end();
      client.close();
    };
  }

  readonly close: () => void;

  private ask(request: Record<string, unknown>): Promise<ReflectionResponse> {
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.stream.write({ host: "", ...request });
    });
  }

  async listServices(): Promise<string[]> {
    const r = await this.ask({ listServices: "*" });
    if (!r.listServicesResponse) throw new Error(`listServices failed: ${JSON.stringify(r.errorResponse)}`);
    return r.listServicesResponse.service.map((s) => s.name);
  }

  private async files(request: Record<string, unknown>): Promise<FileDescriptorProto[]> {
    const r = await this.ask(request);
    if (!r.fileDescriptorResponse) throw new Error(`reflection error for ${JSON.stringify(request)}: ${JSON.stringify(r.errorResponse)}`);
    return r.fileDescriptorResponse.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, new Uint8Array(b)));
  }

  /**
   * Resolves a symbol the way grpcurl does: fetch the file containing it, then
   * every import by file name until the closure is complete, then link.
   */
  async resolveSymbol(symbol: string): Promise<FileRegistry> {
    const known = new Map<string, FileDescriptorProto>();
    const queue = await this.files({ fileContainingSymbol: symbol });
    while (queue.length > 0) {
      const file = queue.shift() as FileDescriptorProto;
      if (known.has(file.name)) continue;
      known.set(file.name, file);
      for (const dep of file.dependency) {
        if (!known.has(dep) && !queue.some((f) => f.name === dep)) queue.push(...(await this.files({ fileByFilename: dep })));
      }
    }
    assertMapEntriesWellFormed([...known.values()]);
    return createFileRegistry(create(FileDescriptorSetSchema, { file: topologicalOrder(known) }));
  }
}

/** Dependencies before dependents, as a FileDescriptorSet must list them. */
function topologicalOrder(files: Map<string, FileDescriptorProto>): FileDescriptorProto[] {
  const ordered: FileDescriptorProto[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const file = files.get(name);
    if (!file) throw new Error(`import ${name} was never returned by reflection`);
    for (const dep of file.dependency) visit(dep);
    ordered.push(file);
  };
  for (const name of files.keys()) visit(name);
  return ordered;
}

/**
 * The check behind grpcurl's "invalid map: incorrect implicit map entry name":
 * a map field's entry type must be nested in the message, flagged map_entry and
 * named after the field (foo_bar → FooBarEntry).
 */
function assertMapEntriesWellFormed(files: FileDescriptorProto[]): void {
  const check = (scope: string, message: FileDescriptorProto["messageType"][number]) => {
    const fqn = `${scope}.${message.name}`;
    const entries = new Map(message.nestedType.filter((n) => n.options?.mapEntry).map((n) => [`${fqn}.${n.name}`, n.name]));
    for (const field of message.field) {
      const entryName = entries.get(field.typeName.replace(/^\./, ""));
      if (entryName === undefined) continue;
      const expected = `${field.name
        .split("_")
        .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
        .join("")}Entry`;
      if (entryName !== expected) throw new Error(`invalid map: incorrect implicit map entry name ${fqn}.${entryName} (want ${expected})`);
    }
    for (const nested of message.nestedType) check(fqn, nested);
  };
  for (const file of files) for (const m of file.messageType) check(file.package, m);
}
