import { fromJson, ScalarType, type DescEnum, type DescField, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import type { FieldViolation } from "../errors/rpc-errors.js";

type JsonObject = { [key: string]: JsonValue };

// "\ud800" is valid JSON but no character: it could only be stored mangled.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Which field of `json` protobuf JSON decoding refused, and why, in words a person reads
 * ("qty: must be a whole number (int32)"): found by decoding one key at a time, so it does not
 * depend on the wording of the library's errors (which name some fields, like enums, not at all).
 * Undefined when no single field is to blame.
 */
export function locateJsonError(message: DescMessage, json: JsonObject): FieldViolation | undefined {
  for (const [key, value] of Object.entries(json)) {
    if (decodes(message, { [key]: value })) continue;
    const field = message.fields.find((f) => f.jsonName === key || f.name === key);
    if (!field) return { field: key, description: `is not a field of ${message.typeName}` };
    return within(field.jsonName, violationOf(field, value));
  }
  return undefined;
}

function decodes(message: DescMessage, json: JsonObject): boolean {
  try {
    fromJson(message, json);
    return true;
  } catch {
    return false;
  }
}

function within(name: string, v: FieldViolation | string): FieldViolation {
  return typeof v === "string" ? { field: name, description: v } : { field: `${name}${v.field.startsWith("[") ? "" : "."}${v.field}`, description: v.description };
}

// A field's value was refused: say what it must be, or look inside when it is a message or a list of them.
function violationOf(field: DescField, value: JsonValue): FieldViolation | string {
  if (value === null) return "must not be null (leave it out instead)";
  switch (field.fieldKind) {
    case "scalar":
      return typeof value === "string" && loneSurrogate.test(value) ? "must be valid Unicode text (it holds half of a surrogate pair)" : mustBe(field.scalar);
    case "enum":
      return mustBeOneOf(field.enum);
    case "message":
      return messageViolation(field.message, value);
    case "list": {
      if (!Array.isArray(value)) return `must be a list of ${itemKind(field)}`;
      const i = value.findIndex((item) => !decodes(field.parent, { [field.jsonName]: [item] }));
      if (i < 0) return `must be a list of ${itemKind(field)}`;
      const item = value[i];
      const inner: FieldViolation | string =
        item === null ? "must not be null" :
        field.listKind === "scalar" ? mustBe(field.scalar) :
        field.listKind === "enum" ? mustBeOneOf(field.enum) :
        messageViolation(field.message, item);
      return within(`[${i}]`, inner);
    }
    case "map":
      return isObject(value) ? "has a key or value of the wrong kind" : "must be an object";
  }
}

function messageViolation(message: DescMessage, value: JsonValue): FieldViolation | string {
  const special = wellKnown[message.typeName];
  if (special) return special;
  if (!isObject(value)) return `must be an object (a ${message.typeName})`;
  return locateJsonError(message, value) ?? `is not a valid ${message.typeName}`;
}

const wellKnown: Record<string, string> = {
  "google.protobuf.Timestamp": "must be a time such as 2024-05-01T09:30:00Z",
  "google.protobuf.Duration": 'must be a duration such as "1.5s"',
};

function itemKind(field: DescField & { fieldKind: "list" }): string {
  if (field.listKind === "message") return `${field.message.typeName} objects`;
  if (field.listKind === "enum") return `${field.enum.typeName} names`;
  return mustBe(field.scalar).replace(/^must be (an? )?/, "") + " values";
}

function mustBeOneOf(e: DescEnum): string {
  const names = e.values.map((v) => v.name);
  return names.length <= 8 ? `must be one of ${names.join(", ")}` : `must be a ${e.typeName} name, such as ${names.slice(0, 3).join(", ")}`;
}

function mustBe(scalar: ScalarType): string {
  switch (scalar) {
    case ScalarType.INT32: case ScalarType.SINT32: case ScalarType.SFIXED32:
      return "must be a whole number (int32)";
    case ScalarType.UINT32: case ScalarType.FIXED32:
      return "must be a whole number, 0 or more (uint32)";
    case ScalarType.INT64: case ScalarType.SINT64: case ScalarType.SFIXED64:
      return 'must be a whole number (int64), best as a string such as "7000"';
    case ScalarType.UINT64: case ScalarType.FIXED64:
      return 'must be a whole number, 0 or more (uint64), best as a string such as "7000"';
    case ScalarType.DOUBLE: case ScalarType.FLOAT:
      return "must be a number";
    case ScalarType.BOOL:
      return "must be true or false";
    case ScalarType.STRING:
      return "must be a string";
    case ScalarType.BYTES:
      return "must be base64 text";
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
