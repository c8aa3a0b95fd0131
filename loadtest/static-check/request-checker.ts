import { readFileSync } from "node:fs";
import { createFileRegistry, fromBinary, type DescEnum, type DescMessage, type DescMethod, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { Expression, ObjectExpression, SpreadElement } from "acorn";
import { findGrpcCalls, type ScriptCalls } from "./k6-grpc-calls.js";

/** The contracts as `buf build` compiled them (gen/recmesh.binpb), imports included. */
export function loadContracts(descriptorSetPath: string): FileRegistry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)));
}

/** "package.Service/Method" → the method, or a reason it does not exist. */
export function resolveMethod(registry: FileRegistry, name: string): DescMethod | string {
  const [service, method, ...rest] = name.replace(/^\//, "").split("/");
  if (!service || !method || rest.length > 0) return `"${name}" is not of the form package.Service/Method`;
  const desc = registry.getService(service);
  if (!desc) return `no service ${service} in proto/`;
  return desc.methods.find((m) => m.name === method) ?? `no method ${method} in ${service}`;
}

// Well-known types whose proto JSON form is a string (RFC 3339 time, "1.5s"), never an object.
const STRING_JSON_TYPES = new Set(["google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"]);

/**
 * Checks an object literal against a message the way k6 reads it (protojson: a key is a field's
 * JSON name or its proto name, unknown keys are errors, enums by value name, one member per oneof).
 * Nested messages must be object literals too, so every field name that is sent gets checked.
 */
export function checkMessage(literal: ObjectExpression, message: DescMessage, path: string): string[] {
  const problems: string[] = [];
  const oneofsSet = new Map<string, string>();
  for (const property of literal.properties) {
    if (property.type === "SpreadElement" || property.computed || property.kind !== "init") {
      problems.push(`${path}: only plain "key: value" properties can be checked`);
      continue;
    }
    const key = property.key.type === "Identifier" ? property.key.name : property.key.type === "Literal" ? String(property.key.value) : "";
    const field = message.fields.find((f) => f.jsonName === key || f.name === key);
    const at = `${path}.${key}`;
    if (!field) {
      problems.push(`${at}: no field "${key}" in ${message.typeName}`);
      continue;
    }
    if (field.oneof) {
      const other = oneofsSet.get(field.oneof.name);
      if (other !== undefined) problems.push(`${at}: ${other} and ${key} are members of the same oneof ${field.oneof.name}`);
      oneofsSet.set(field.oneof.name, key);
    }
    const value = property.value;
    switch (field.fieldKind) {
      case "message":
        problems.push(...checkMessageValue(value, field.message, at));
        break;
      case "enum":
        problems.push(...checkEnumValue(value, field.enum, at));
        break;
      case "scalar":
        if (value.type === "ObjectExpression" || value.type === "ArrayExpression") problems.push(`${at}: a scalar field cannot be an object or array`);
        break;
      case "list":
        if (value.type === "ArrayExpression") {
          value.elements.forEach((element, i) => {
            if (!element) return;
            if (field.listKind === "message") problems.push(...checkMessageValue(element, field.message, `${at}[${i}]`));
            if (field.listKind === "enum") problems.push(...checkEnumValue(element, field.enum, `${at}[${i}]`));
          });
        } else if (field.listKind === "message") {
          problems.push(`${at}: a list of ${field.message.typeName} must be an array literal so its fields can be checked`);
        } else if (value.type === "ObjectExpression") {
          problems.push(`${at}: a repeated field cannot be an object`);
        }
        break;
      case "map":
        if (value.type !== "ObjectExpression") break;
        for (const entry of value.properties) {
          if (entry.type === "Property" && field.mapKind === "message") problems.push(...checkMessageValue(entry.value, field.message, `${at}{}`));
        }
        break;
    }
  }
  return problems;
}

function checkMessageValue(value: Expression | SpreadElement, message: DescMessage, at: string): string[] {
  if (STRING_JSON_TYPES.has(message.typeName)) {
    return value.type === "ObjectExpression" || value.type === "ArrayExpression" ? [`${at}: ${message.typeName} is a string in proto JSON`] : [];
  }
  if (value.type === "ObjectExpression") return checkMessage(value, message, at);
  if (value.type === "Literal" && value.value === null) return [];
  return [`${at}: a ${message.typeName} must be an object literal so its fields can be checked`];
}

/** Enum values written as string literals (also both branches of `c ? "A" : "B"`) must be value names. */
function checkEnumValue(value: Expression | SpreadElement, desc: DescEnum, at: string): string[] {
  if (value.type === "ConditionalExpression") return [...checkEnumValue(value.consequent, desc, at), ...checkEnumValue(value.alternate, desc, at)];
  if (value.type !== "Literal") return [];
  if (typeof value.value === "string" && !desc.values.some((v) => v.name === value.value)) return [`${at}: "${value.value}" is not a value of ${desc.typeName}`];
  if (typeof value.value === "number" && !desc.values.some((v) => v.number === value.value)) return [`${at}: ${value.value} is not a value of ${desc.typeName}`];
  return [];
}

export interface ScriptCheck {
  calls: ScriptCalls;
  problems: string[];
}

/** Every RPC a script names exists, and every request it sends fits that RPC's input message. */
export function checkScript(source: string, registry: FileRegistry): ScriptCheck {
  const calls = findGrpcCalls(source);
  const problems = [...calls.problems];
  for (const { method, line } of calls.methods) {
    const resolved = resolveMethod(registry, method);
    if (typeof resolved === "string") problems.push(`line ${line}: ${resolved}`);
  }
  for (const { method, request, line } of calls.requests) {
    const resolved = resolveMethod(registry, method);
    if (typeof resolved !== "string") problems.push(...checkMessage(request, resolved.input, `line ${line}: ${resolved.name}`));
  }
  return { calls, problems };
}
