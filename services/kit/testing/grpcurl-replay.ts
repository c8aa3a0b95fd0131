import { fromBinary, fromJson, toBinary, toJson, type DescMethod, type JsonValue } from "@bufbuild/protobuf";
import { Client, credentials } from "@grpc/grpc-js";
import { ReflectionClient } from "./reflection-client.js";

/** What a replayed grpcurl command produced. */
export type GrpcurlResult = { verb: "list"; services: string[] } | { verb: "describe"; methods: string[] } | { verb: "call"; responses: JsonValue[] };

interface ParsedCommand {
  address: string;
  /** `list`, `describe <symbol>`, or a `<service>/<method>` to call. */
  target: string[];
  /** Request messages from -d '<json>' or a -d @ here-document. */
  messages: unknown[];
}

/** Splits a grpcurl command line as a shell would for the forms `recmesh stack` prints (single quotes, one here-document). */
export function parseGrpcurl(command: string): ParsedCommand {
  const [first = "", ...rest] = command.split("\n");
  const heredoc = rest.map((l) => l.trim()).filter((l) => l !== "" && l !== "EOF");
  const words = [...first.replace(/<<'EOF'$/, "").matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
  if (words[0] !== "grpcurl") throw new Error(`not a grpcurl command: ${first}`);
  const positional: string[] = [];
  let data: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] ?? "";
    if (w === "-plaintext") continue;
    if (w === "-d") data = words[++i];
    else if (w.startsWith("-")) throw new Error(`flag ${w} is not supported by the replay (plaintext only)`);
    else positional.push(w);
  }
  const [address = "", ...target] = positional;
  const messages = data === undefined ? [] : data === "@" ? heredoc.map((l) => JSON.parse(l) as unknown) : [JSON.parse(data) as unknown];
  return { address, target, messages };
}

const identity = (b: Buffer) => b;

/**
 * Runs a printed grpcurl command the way grpcurl does, knowing nothing but the
 * server's reflection: list, describe, or encode the JSON request(s) with the
 * reflected descriptors, call, and decode the answers to JSON. A bidi call
 * half-closes after its messages and collects answers until the server ends
 * the call or `streamWindowMs` passes.
 */
export async function replayGrpcurl(command: string, streamWindowMs = 3_000): Promise<GrpcurlResult> {
  const { address, target, messages } = parseGrpcurl(command);
  const reflection = new ReflectionClient(address, "v1");
  try {
    if (target[0] === "list") return { verb: "list", services: await reflection.listServices() };
    if (target[0] === "describe") {
      const symbol = target[1] ?? "";
      const service = (await reflection.resolveSymbol(symbol)).getService(symbol);
      if (!service) throw new Error(`${symbol} is not a service`);
      return { verb: "describe", methods: service.methods.map((m) => m.name) };
    }
    const [serviceName = "", methodName = ""] = (target[0] ?? "").split("/");
    const method = (await reflection.resolveSymbol(serviceName)).getService(serviceName)?.methods.find((m) => m.name === methodName);
    if (!method) throw new Error(`no method ${target[0] ?? ""} on ${address}`);
    return { verb: "call", responses: await call(address, method, messages, streamWindowMs) };
  } finally {
    reflection.close();
  }
}

async function call(address: string, method: DescMethod, messages: unknown[], streamWindowMs: number): Promise<JsonValue[]> {
  const client = new Client(address, credentials.createInsecure());
  const path = `/${method.parent.typeName}/${method.name}`;
  const encode = (m: unknown) => Buffer.from(toBinary(method.input, fromJson(method.input, m as JsonValue)));
  const decode = (b: Buffer) => toJson(method.output, fromBinary(method.output, b));
  try {
    if (method.methodKind === "unary") {
      return await new Promise<JsonValue[]>((resolve, reject) =>
        client.makeUnaryRequest(path, identity, identity, encode(messages[0] ?? {}), { deadline: Date.now() + 10_000 }, (err, res) => (err || !res ? reject(err) : resolve([decode(res)]))),
      );
    }
    if (method.methodKind !== "bidi_streaming") throw new Error(`${path}: only unary and bidi calls are replayed`);
    const stream = client.makeBidiStreamRequest(path, identity, identity);
    const responses: JsonValue[] = [];
    stream.on("data", (b: Buffer) => responses.push(decode(b)));
    for (const m of messages) stream.write(encode(m));
    stream.end();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.cancel();
        resolve();
      }, streamWindowMs);
      stream.on("end", () => resolve());
      stream.on("error", (err: Error & { code?: number }) => (err.code === 1 ? resolve() : reject(err)));
      stream.on("close", () => clearTimeout(timer));
    });
    return responses;
  } finally {
    client.close();
  }
}
