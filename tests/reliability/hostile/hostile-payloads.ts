import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

/** A request body a well-behaved client would never send, and what it is. */
export interface HostilePayload {
  name: string;
  bytes: Uint8Array;
}

type Mode = "benign" | "invalid-utf8" | "absurd-numbers";

/** Not valid UTF-8: a lone continuation byte, an overlong lead, a truncated sequence. */
const INVALID_UTF8 = Uint8Array.of(0xff, 0xfe, 0x80, 0xc3, 0x28, 0xe2, 0x82);
const ABSURD_DOUBLES = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e308, -0];
const INT32_MIN = -2147483648;
const INT64_MIN = "-9223372036854775808";
const INT64_MAX = "9223372036854775807";
const UINT64_MAX = "18446744073709551615";
/** How deep nested messages are filled (the contracts have no recursive types). */
const MAX_DEPTH = 4;
/** Unknown field numbers the contracts do not use. */
const UNKNOWN_FIELD = 999;

function wireTypeOf(type: ScalarType): WireType {
  switch (type) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

/** Writes one scalar value chosen by mode; `n` varies the absurd value across fields. */
function writeScalar(w: BinaryWriter, no: number, type: ScalarType, mode: Mode, n: number): void {
  w.tag(no, wireTypeOf(type));
  const absurd = mode === "absurd-numbers";
  switch (type) {
    case ScalarType.DOUBLE:
      w.double(absurd ? (ABSURD_DOUBLES[n % ABSURD_DOUBLES.length] ?? Number.NaN) : 1);
      return;
    case ScalarType.FLOAT:
      w.float(absurd ? (ABSURD_DOUBLES[n % ABSURD_DOUBLES.length] ?? Number.NaN) : 1);
      return;
    case ScalarType.INT64:
      w.int64(absurd ? (n % 2 === 0 ? INT64_MAX : INT64_MIN) : 1);
      return;
    case ScalarType.SINT64:
      w.sint64(absurd ? INT64_MIN : 1);
      return;
    case ScalarType.SFIXED64:
      w.sfixed64(absurd ? INT64_MIN : 1);
      return;
    case ScalarType.UINT64:
      w.uint64(absurd ? UINT64_MAX : 1);
      return;
    case ScalarType.FIXED64:
      w.fixed64(absurd ? UINT64_MAX : 1);
      return;
    case ScalarType.INT32:
      w.int32(absurd ? INT32_MIN : 1);
      return;
    case ScalarType.SINT32:
      w.sint32(absurd ? INT32_MIN : 1);
      return;
    case ScalarType.UINT32:
      // A negative number where an unsigned one belongs: the 10-byte varint of -1, read back as 4294967295.
      w.int32(absurd ? -1 : 1);
      return;
    case ScalarType.FIXED32:
      w.fixed32(absurd ? 4294967295 : 1);
      return;
    case ScalarType.SFIXED32:
      w.sfixed32(absurd ? INT32_MIN : 1);
      return;
    case ScalarType.BOOL:
      // Not 0 or 1: a ten-byte varint.
      w.uint64(absurd ? UINT64_MAX : 1);
      return;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      w.bytes(mode === "invalid-utf8" ? INVALID_UTF8 : new TextEncoder().encode(`x${n}`));
      return;
  }
}

function writeField(w: BinaryWriter, f: DescField, mode: Mode, depth: number, n: number): void {
  switch (f.fieldKind) {
    case "scalar":
      writeScalar(w, f.number, f.scalar, mode, n);
      return;
    case "enum":
      w.tag(f.number, WireType.Varint).int32(mode === "absurd-numbers" ? 999_999 : 1);
      return;
    case "message":
      if (depth < MAX_DEPTH) w.tag(f.number, WireType.LengthDelimited).bytes(fill(f.message, mode, depth + 1));
      return;
    case "list":
      for (let i = 0; i < 2; i++) writeListElement(w, f, mode, depth, n + i);
      return;
    case "map":
      w.tag(f.number, WireType.LengthDelimited).bytes(mapEntry(f, mode, depth, n));
      return;
  }
}

function writeListElement(w: BinaryWriter, f: DescField & { fieldKind: "list" }, mode: Mode, depth: number, n: number): void {
  if (f.listKind === "scalar") writeScalar(w, f.number, f.scalar, mode, n);
  else if (f.listKind === "enum") w.tag(f.number, WireType.Varint).int32(mode === "absurd-numbers" ? -7 : 1);
  else if (depth < MAX_DEPTH) w.tag(f.number, WireType.LengthDelimited).bytes(fill(f.message, mode, depth + 1));
}

function mapEntry(f: DescField & { fieldKind: "map" }, mode: Mode, depth: number, n: number): Uint8Array {
  const entry = new BinaryWriter();
  writeScalar(entry, 1, f.mapKey, mode, n);
  if (f.mapKind === "scalar") writeScalar(entry, 2, f.scalar, mode, n);
  else if (f.mapKind === "enum") entry.tag(2, WireType.Varint).int32(1);
  else if (depth < MAX_DEPTH) entry.tag(2, WireType.LengthDelimited).bytes(fill(f.message, mode, depth + 1));
  return entry.finish();
}

/** Every field of `desc` (and of its nested messages) set, with values chosen by mode. */
export function fill(desc: DescMessage, mode: Mode, depth = 0): Uint8Array {
  const w = new BinaryWriter();
  desc.fields.forEach((f, i) => writeField(w, f, mode, depth, i));
  return w.finish();
}

/** One more entry of a repeated or map field. */
function writeEntry(w: BinaryWriter, f: DescField, n: number): void {
  if (f.fieldKind === "list") writeListElement(w, f, "benign", 0, n);
  else if (f.fieldKind === "map") w.tag(f.number, WireType.LengthDelimited).bytes(mapEntry(f, "benign", 0, n));
}

/** Every repeated and map field of `desc` with as many entries as fit in about `budgetBytes`. */
export function hugeRepeated(desc: DescMessage, budgetBytes: number): Uint8Array | undefined {
  const many = desc.fields.filter((f) => f.fieldKind === "list" || f.fieldKind === "map");
  if (many.length === 0) return undefined;
  const repeated = new Set(many.map((f) => f.number));
  const w = new BinaryWriter();
  for (const f of desc.fields) if (!repeated.has(f.number)) writeField(w, f, "benign", 0, 0);
  for (const f of many) {
    const one = new BinaryWriter();
    writeEntry(one, f, 0);
    const count = Math.floor(budgetBytes / many.length / (one.finish().length + 2));
    for (let i = 0; i < count; i++) writeEntry(w, f, i);
  }
  return w.finish();
}

/** Unknown length-delimited fields nested `depth` levels: legal to skip, so it must not recurse unboundedly. */
function nestedUnknown(depth: number): Uint8Array {
  let inner: Uint8Array = Uint8Array.of();
  for (let i = 0; i < depth; i++) inner = new BinaryWriter().tag(UNKNOWN_FIELD, WireType.LengthDelimited).bytes(inner).finish();
  return inner;
}

/** The whole hostile battery for one request type, each payload within `maxMessageBytes` except the oversized one. */
export function hostilePayloads(desc: DescMessage, maxMessageBytes: number): HostilePayload[] {
  const firstField = desc.fields[0]?.number ?? 1;
  const payloads: HostilePayload[] = [
    { name: "garbage bytes", bytes: new Uint8Array(64).fill(0xff) },
    { name: "truncated length-delimited field", bytes: Uint8Array.of((firstField << 3) | WireType.LengthDelimited, 0xe8, 0x07, 1, 2, 3) },
    { name: "invalid wire type", bytes: Uint8Array.of((firstField << 3) | 7, 1, 2, 3) },
    { name: "varint longer than 10 bytes", bytes: Uint8Array.of((firstField << 3) | WireType.Varint, ...new Array<number>(12).fill(0xff), 0x01) },
    { name: "groups nested 5000 deep", bytes: new Uint8Array(5_000).fill((1 << 3) | WireType.StartGroup) },
    { name: "unknown fields nested 2000 deep", bytes: nestedUnknown(2_000) },
    { name: "invalid UTF-8 in every string", bytes: fill(desc, "invalid-utf8") },
    { name: "absurd numbers (NaN, ±Inf, 2^64-1, negative unsigned)", bytes: fill(desc, "absurd-numbers") },
    {
      name: `oversized (${maxMessageBytes + 65_536} bytes)`,
      bytes: new BinaryWriter().tag(UNKNOWN_FIELD, WireType.LengthDelimited).bytes(new Uint8Array(maxMessageBytes + 65_536)).finish(),
    },
  ];
  const huge = hugeRepeated(desc, Math.floor(maxMessageBytes * 0.7));
  if (huge) payloads.push({ name: "huge repeated fields", bytes: huge });
  return payloads;
}

export function isOversized(p: HostilePayload): boolean {
  return p.name.startsWith("oversized");
}
