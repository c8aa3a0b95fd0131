import { parse, type AnyNode, type Expression, type ObjectExpression, type SpreadElement } from "acorn";

/** A request message a script sends: the object literal given to `invoke` or written to a stream. */
export interface ScriptRequest {
  method: string;
  request: ObjectExpression;
  line: number;
}

/** Where a script loads proto definitions from: `client.load(importPaths, ...files)` or `client.loadProtoset(path)`. */
export interface ProtoSource {
  importPaths: string[];
  files: string[];
  line: number;
}

export interface ScriptCalls {
  /** Every RPC the script names, with the line naming it. */
  methods: { method: string; line: number }[];
  requests: ScriptRequest[];
  protoSources: ProtoSource[];
  /** Calls the extraction cannot follow statically; each one fails the check. */
  problems: string[];
}

const isNode = (value: unknown): value is AnyNode =>
  typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";

/** Every node of the tree with its parent, depth first. */
function* walk(node: AnyNode, parent?: AnyNode): Generator<{ node: AnyNode; parent: AnyNode | undefined }> {
  yield { node, parent };
  for (const value of Object.values(node)) {
    for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) yield* walk(child, node);
  }
}

const lineOf = (node: AnyNode) => node.loc?.start.line ?? 0;

const calleeName = (callee: AnyNode): string | undefined => {
  if (callee.type === "Identifier") return callee.name;
  if (callee.type === "MemberExpression" && !callee.computed && callee.property.type === "Identifier") return callee.property.name;
  return undefined;
};

/** Parses a k6 script as an ES module (as k6 does), throwing on a syntax error. */
export function parseScript(source: string) {
  return parse(source, { ecmaVersion: "latest", sourceType: "module", locations: true });
}

/**
 * Finds the gRPC calls of a k6 script: `client.invoke(method, {…})`, `new Stream(client, method)` bound
 * to a variable and that variable's `.write({…})`, and the proto sources it loads. Method names must be
 * string literals or top-level string constants and requests object literals; anything else is reported
 * as a problem rather than skipped, so a script cannot slip past the check.
 */
export function findGrpcCalls(source: string): ScriptCalls {
  const program = parseScript(source);
  const nodes = [...walk(program)];
  const constants = new Map<string, string>();
  const streams = new Map<string, string>();
  const result: ScriptCalls = { methods: [], requests: [], protoSources: [], problems: [] };

  for (const { node, parent } of nodes) {
    if (node.type === "VariableDeclarator" && node.id.type === "Identifier" && node.init?.type === "Literal" && typeof node.init.value === "string") {
      if (parent?.type === "VariableDeclaration" && parent.kind === "const") constants.set(node.id.name, node.init.value);
    }
  }
  const methodOf = (arg: Expression | SpreadElement | undefined, line: number): string | undefined => {
    if (arg?.type === "Literal" && typeof arg.value === "string") return arg.value;
    if (arg?.type === "Identifier" && constants.has(arg.name)) return constants.get(arg.name);
    result.problems.push(`line ${line}: the RPC name must be a string literal or a string constant`);
    return undefined;
  };
  const addRequest = (method: string, arg: Expression | SpreadElement | undefined, line: number) => {
    if (arg?.type === "ObjectExpression") result.requests.push({ method, request: arg, line });
    else result.problems.push(`line ${line}: the ${method} request must be an object literal so its fields can be checked`);
  };

  for (const { node, parent } of nodes) {
    if (node.type !== "NewExpression" || calleeName(node.callee) !== "Stream") continue;
    const line = lineOf(node);
    const method = methodOf(node.arguments[1], line);
    if (method === undefined) continue;
    result.methods.push({ method, line });
    if (parent?.type !== "VariableDeclarator" || parent.id.type !== "Identifier") {
      result.problems.push(`line ${line}: a Stream must be assigned to a variable so its writes can be followed`);
    } else if (streams.has(parent.id.name) && streams.get(parent.id.name) !== method) {
      result.problems.push(`line ${line}: the variable "${parent.id.name}" holds streams of different RPCs`);
    } else {
      streams.set(parent.id.name, method);
    }
  }

  for (const { node } of nodes) {
    if (node.type !== "CallExpression") continue;
    const name = calleeName(node.callee);
    const line = lineOf(node);
    const args = node.arguments;
    if (name === "invoke" || name === "asyncInvoke") {
      const method = methodOf(args[0], line);
      if (method === undefined) continue;
      result.methods.push({ method, line });
      addRequest(method, args[1], line);
    } else if (name === "write" && node.callee.type === "MemberExpression" && node.callee.object.type === "Identifier") {
      const method = streams.get(node.callee.object.name);
      if (method !== undefined) addRequest(method, args[0], line);
    } else if (name === "load" || name === "loadProtoset") {
      result.protoSources.push(protoSource(name, args, line, result.problems));
    }
  }
  return result;
}

function protoSource(name: "load" | "loadProtoset", args: (Expression | SpreadElement)[], line: number, problems: string[]): ProtoSource {
  const strings = (nodes: (Expression | SpreadElement | null | undefined)[]) =>
    nodes.flatMap((n) => {
      if (n?.type === "Literal" && typeof n.value === "string") return [n.value];
      problems.push(`line ${line}: ${name} takes string literals here so the paths can be checked`);
      return [];
    });
  if (name === "loadProtoset") return { importPaths: [], files: strings(args.slice(0, 1)), line };
  const [paths, ...files] = args;
  const importPaths = paths?.type === "ArrayExpression" ? strings(paths.elements) : strings([paths]);
  return { importPaths, files: strings(files), line };
}
