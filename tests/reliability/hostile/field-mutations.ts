import { create, ScalarType, toBinary, type DescField, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import type { HostilePayload } from "./hostile-payloads.js";
import type { RequestInit } from "./valid-requests.js";

type Key = string | number;

/** A scalar somewhere in a request: the property path to it in the init object and its field. */
interface Leaf {
  keys: Key[];
  field: DescField;
  label: string;
}

/** Stands in for a string value; its bytes are overwritten with invalid UTF-8 of the same length after encoding. */
const UTF8_MARKER = "~~hostile-utf8~~";
const INVALID_UTF8 = [0xff, 0xfe, 0x80, 0xc3, 0x28, 0xe2, 0x82, 0xc0];

const LONG_STRING = "x".repeat(10_000);

/** Every scalar reachable in `init` (first element of lists, first entry of maps, the set case of oneofs). */
function* leaves(desc: DescMessage, init: Record<string, unknown>, keys: Key[] = [], label = ""): Generator<Leaf> {
  for (const f of desc.fields) {
    let at: Key[];
    let value: unknown;
    if (f.oneof) {
      const chosen = init[f.oneof.localName] as { case?: string; value?: unknown } | undefined;
      if (chosen?.case !== f.localName) continue;
      at = [...keys, f.oneof.localName, "value"];
      value = chosen.value;
    } else {
      at = [...keys, f.localName];
      value = init[f.localName];
    }
    if (value === undefined) continue;
    const name = `${label}${f.name}`;
    if (f.fieldKind === "scalar" || f.fieldKind === "enum") yield { keys: at, field: f, label: name };
    else if (f.fieldKind === "message") yield* leaves(f.message, value as Record<string, unknown>, at, `${name}.`);
    else if (f.fieldKind === "list" && Array.isArray(value) && value.length > 0) {
      if (f.listKind === "message") yield* leaves(f.message, value[0] as Record<string, unknown>, [...at, 0], `${name}[0].`);
      else yield { keys: [...at, 0], field: f, label: `${name}[0]` };
    } else if (f.fieldKind === "map") {
      const first = Object.keys(value as object)[0];
      if (first === undefined) continue;
      const entry = (value as Record<string, unknown>)[first];
      if (f.mapKind === "message") yield* leaves(f.message, entry as Record<string, unknown>, [...at, first], `${name}["${first}"].`);
      else yield { keys: [...at, first], field: f, label: `${name}["${first}"]` };
    }
  }
}

function scalarOf(f: DescField): ScalarType | "enum" | undefined {
  if (f.fieldKind === "scalar") return f.scalar;
  if (f.fieldKind === "enum") return "enum";
  if (f.fieldKind === "list") return f.listKind === "scalar" ? f.scalar : f.listKind === "enum" ? "enum" : undefined;
  if (f.fieldKind === "map") return f.mapKind === "scalar" ? f.scalar : f.mapKind === "enum" ? "enum" : undefined;
  return undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Values no sane client sends for a field of this type. */
function hostileValues(type: ScalarType | "enum"): { name: string; value: unknown }[] {
  switch (type) {
    case ScalarType.STRING:
      return [
        { name: "invalid UTF-8", value: UTF8_MARKER },
        { name: "10 000 characters", value: LONG_STRING },
      ];
    case ScalarType.BYTES:
      return [{ name: "garbage bytes", value: Uint8Array.of(0xff, 0x00, 0xfe) }];
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, type === ScalarType.FLOAT ? -3.4e38 : -1e308].map((v) => ({ name: String(v), value: v }));
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return [-2147483648, 2147483647].map((v) => ({ name: String(v), value: v }));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      // The wire form of -1 in an unsigned field.
      return [{ name: "4294967295 (-1 as unsigned)", value: 4294967295 }];
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return [INT64_MIN, INT64_MAX].map((v) => ({ name: String(v), value: v }));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return [{ name: "2^64-1 (-1 as unsigned)", value: UINT64_MAX }];
    case ScalarType.BOOL:
      return [];
    case "enum":
      return [999_999, -1].map((v) => ({ name: `enum ${v}`, value: v }));
  }
}

function setAt(target: Record<string, unknown>, keys: Key[], value: unknown): void {
  let node: Record<Key, unknown> = target;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<Key, unknown>;
  node[keys[keys.length - 1] as Key] = value;
}

function encode(desc: DescMessage, init: RequestInit): Uint8Array {
  const bytes = toBinary(desc, create(desc, init as MessageInitShape<DescMessage>));
  const marker = new TextEncoder().encode(UTF8_MARKER);
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(marker);
  if (at >= 0) for (let i = 0; i < marker.length; i++) bytes[at + i] = INVALID_UTF8[i % INVALID_UTF8.length] ?? 0xff;
  return bytes;
}

/** The well-formed request itself, encoded. */
export function encodeValid(desc: DescMessage, valid: RequestInit): Uint8Array {
  return encode(desc, valid);
}

/**
 * The well-formed request with exactly one scalar replaced by a hostile value
 * (invalid UTF-8, a 10 000-character string, NaN, ±Inf, extreme or
 * negative-as-unsigned integers, unknown enum values), one payload per field and value.
 */
export function fieldMutations(desc: DescMessage, valid: () => RequestInit): HostilePayload[] {
  const payloads: HostilePayload[] = [];
  for (const leaf of leaves(desc, valid())) {
    const type = scalarOf(leaf.field);
    if (type === undefined) continue;
    for (const h of hostileValues(type)) {
      const init = valid();
      setAt(init, leaf.keys, h.value);
      payloads.push({ name: `${leaf.label} = ${h.name}`, bytes: encode(desc, init) });
    }
  }
  return payloads;
}

/** The well-formed request with its first repeated field grown until about `budgetBytes`. */
export function hugeList(desc: DescMessage, valid: () => RequestInit, budgetBytes: number): HostilePayload[] {
  const payloads: HostilePayload[] = [];
  for (const f of desc.fields) {
    const init = valid();
    const list = init[f.localName];
    if (f.fieldKind !== "list" || !Array.isArray(list) || list.length === 0) continue;
    const element = encode(desc, { ...init, [f.localName]: [list[0], list[0]] }).length - encode(desc, { ...init, [f.localName]: [list[0]] }).length;
    const count = Math.max(2, Math.floor(budgetBytes / Math.max(1, element)));
    payloads.push({ name: `${f.name} × ${count}`, bytes: encode(desc, { ...init, [f.localName]: new Array<unknown>(count).fill(list[0]) }) });
  }
  return payloads;
}
