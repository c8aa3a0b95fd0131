import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { describe, isRecord, type Json, type K8sObject } from "./k8s-model.js";

interface IndexEntry {
  apiVersion: string;
  kind: string;
  file: string;
  deprecated?: boolean;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/**
 * Rewrites a schema as `kubectl --validate=strict` applies it: objects that list
 * properties reject unknown ones, int-or-string becomes integer|string, and the
 * "$schema" and vendor keywords ajv does not know are dropped.
 */
export function strictify(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictify);
  if (!isRecord(schema)) return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema" || key.startsWith("x-kubernetes-")) continue;
    out[key] = key === "properties" && isRecord(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictify(v)]))
      : strictify(value);
  }
  if (schema["x-kubernetes-int-or-string"] === true && out.type === undefined && out.anyOf === undefined) {
    out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  const preserves = schema["x-kubernetes-preserve-unknown-fields"] === true;
  if (isRecord(schema.properties) && !preserves && schema.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** JSON schemas of the kinds recmesh deploys, from mesh/schemas (see SOURCES.md there). */
export class SchemaRegistry {
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly deprecated = new Set<string>();

  constructor(private readonly dir: string) {
    addFormats.default(this.ajv, ["date-time", "byte"]);
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    // Gateway API durations ("1s", "500ms"), not ISO 8601.
    this.ajv.addFormat("duration", /^([0-9]{1,5}(h|m|s|ms)){1,4}$/);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { schemas: IndexEntry[] };
    const objectMeta = this.load("core/ConfigMap-v1.json").properties;
    const meta = isRecord(objectMeta) ? objectMeta.metadata : undefined;
    for (const entry of index.schemas) {
      const raw = this.load(entry.file);
      const key = `${entry.apiVersion}|${entry.kind}`;
      if (entry.deprecated) this.deprecated.add(key);
      this.validators.set(key, this.ajv.compile(strictify(this.envelope(raw, entry, meta)) as Json));
    }
  }

  /** Problems of one object: unknown or deprecated kind, or schema violations. */
  validate(o: K8sObject): string[] {
    const key = `${o.apiVersion}|${o.kind}`;
    const validator = this.validators.get(key);
    if (!validator) return [`${describe(o)}: no schema for ${o.apiVersion} ${o.kind} (unknown kinds are errors)`];
    const problems = this.deprecated.has(key) ? [`${describe(o)}: ${o.apiVersion} is deprecated`] : [];
    if (!validator(o)) {
      for (const e of validator.errors ?? []) {
        const extra = e.keyword === "additionalProperties" ? ` "${String(e.params.additionalProperty)}"` : "";
        problems.push(`${describe(o)}: ${e.instancePath || "/"} ${e.message ?? "invalid"}${extra}`);
      }
    }
    return problems;
  }

  private load(file: string): Json {
    return JSON.parse(readFileSync(join(this.dir, file), "utf8")) as Json;
  }

  /** CRD schemas describe only spec/status: add the envelope every object has. */
  private envelope(raw: Json, entry: IndexEntry, meta: unknown): Json {
    const props = isRecord(raw.properties) ? raw.properties : {};
    return {
      ...raw,
      type: "object",
      required: [...new Set([...(Array.isArray(raw.required) ? raw.required : []), "apiVersion", "kind", "metadata"])],
      properties: {
        ...props,
        apiVersion: { type: "string", enum: [entry.apiVersion] },
        kind: { type: "string", enum: [entry.kind] },
        metadata: meta ?? { type: "object" },
      },
    };
  }
}
