import { fromJson, ScalarType, type DescField, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { invalidArgument, type FieldViolation } from "../errors/rpc-errors.js";
import { acceptShortEnumNames } from "./enum-short-names.js";
import type { HttpBinding } from "./http-rules.js";
import { locateJsonError } from "./json-field-errors.js";
import type { PathBinding } from "./path-template.js";

type JsonObject = { [key: string]: JsonValue };

/**
 * Builds the request message of a REST call, as google.api.http says: the body (all of it, or
 * one field), then the path variables, then the query parameters for whatever is left; then
 * protobuf JSON decoding does the type conversions (enum values also in their short form,
 * `Canceled` for ORDER_STATUS_CANCELED). Bad input is INVALID_ARGUMENT naming the field.
 *
 * @param body the parsed JSON body, or undefined when there was none
 */
export function decodeRequest(binding: HttpBinding, path: PathBinding[], query: URLSearchParams, body: JsonValue | undefined): MessageShape<DescMessage> {
  const input = binding.method.input;
  let json: JsonObject = {};
  if (binding.body === "*" && body !== undefined) {
    if (!isObject(body)) throw invalidArgument({ field: "body", description: `must be a JSON object (a ${input.typeName})` });
    json = { ...body };
  } else if (binding.body !== undefined && binding.body !== "*" && body !== undefined) {
    json[binding.body.jsonName] = body;
  }

  const taken = new Set<string>(); // field paths set by the path or the body, by JSON name
  const named = new Map<string, string>(); // JSON path → the path variable or query parameter that set it
  if (binding.body !== undefined && binding.body !== "*") taken.add(binding.body.jsonName);
  binding.pathFields.forEach((fields, i) => {
    const name = fields.map((f) => f.jsonName).join(".");
    setAt(json, fields, textValue(fields[fields.length - 1], path[i].value, path[i].fieldPath.join(".")));
    taken.add(name);
    named.set(name, path[i].fieldPath.join("."));
  });

  for (const key of new Set(query.keys())) {
    if (binding.body === "*") {
      throw invalidArgument({ field: key, description: "query parameters are not read here: the body carries the whole request" });
    }
    const fields = resolveQueryField(input, key);
    const name = fields.map((f) => f.jsonName).join(".");
    if (taken.has(name)) throw invalidArgument({ field: key, description: "is already set by the path or the body" });
    const last = fields[fields.length - 1];
    const values = query.getAll(key);
    named.set(name, key);
    if (last.fieldKind === "list") {
      setAt(json, fields, values.map((v) => textValue(last, v, key)));
    } else if (values.length > 1) {
      throw invalidArgument({ field: key, description: "given more than once, but it is not a repeated field" });
    } else {
      setAt(json, fields, textValue(last, values[0], key));
    }
  }

  acceptShortEnumNames(input, json);
  try {
    return fromJson(input, json);
  } catch (error) {
    const violation = locateJsonError(input, json);
    throw violation ? invalidArgument(byParameter(violation, named)) : decodingError(input, error);
  }
}

// A value from the path or the query is reported against the name the caller used there (?status=, not body).
function byParameter(v: FieldViolation, named: Map<string, string>): FieldViolation {
  for (const [path, parameter] of named) {
    if (v.field === path) return { ...v, field: parameter };
    if (v.field.startsWith(path + "[")) return { ...v, field: parameter + v.field.slice(path.length) };
  }
  return v;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Sets a field by its chain, creating the messages on the way, replacing the proto-named key
// if the body used that spelling (fromJson would otherwise see the field twice).
function setAt(json: JsonObject, fields: DescField[], value: JsonValue): void {
  let target = json;
  fields.forEach((field, i) => {
    if (field.name !== field.jsonName && field.name in target) {
      target[field.jsonName] ??= target[field.name];
      delete target[field.name];
    }
    if (i === fields.length - 1) {
      target[field.jsonName] = value;
      return;
    }
    const next = target[field.jsonName];
    if (!isObject(next)) target[field.jsonName] = {};
    target = target[field.jsonName] as JsonObject;
  });
}

// Text from a path or query string as the JSON value protobuf JSON expects: numbers stay strings
// (protobuf JSON accepts "2" for an int32 and "12" for an enum only as a number), booleans become booleans.
function textValue(field: DescField, text: string, parameter: string): JsonValue {
  const scalar = field.fieldKind === "scalar" || (field.fieldKind === "list" && field.listKind === "scalar") ? field.scalar : undefined;
  const isEnum = field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum");
  if (isEnum && /^-?\d+$/.test(text)) return Number(text);
  if (scalar === ScalarType.BOOL) {
    if (text === "true" || text === "false") return text === "true";
    throw invalidArgument({ field: parameter, description: `must be true or false, not ${JSON.stringify(text)}` });
  }
  return text;
}

/** Whether a query parameter can set the field: a scalar or an enum, singular or repeated (the OpenAPI document lists these). */
export function settableFromQuery(field: DescField): boolean {
  return field.fieldKind === "scalar" || field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind !== "message");
}

// A query key is a dotted path of field names (JSON or proto spelling) through singular messages,
// ending on a scalar or enum, singular or repeated.
function resolveQueryField(message: DescMessage, key: string): DescField[] {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = message;
  for (const part of key.split(".")) {
    const field: DescField | undefined = current?.fields.find((f) => f.jsonName === part || f.name === part);
    if (!field) throw invalidArgument({ field: key, description: `is not a field of ${current?.typeName ?? message.typeName}` });
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  const last = fields[fields.length - 1];
  if (!settableFromQuery(last)) throw invalidArgument({ field: key, description: "cannot be set from the query: send it in a body" });
  return fields;
}

// When no one field is to blame (a oneof set twice...): the library's reason, by JSON path where it names one.
function decodingError(input: DescMessage, error: unknown): Error {
  const text = error instanceof Error ? error.message : String(error);
  const unknownKey = /^cannot decode message ([\w.]+) from JSON: key "([^"]*)" is unknown/.exec(text);
  if (unknownKey) return invalidArgument({ field: unknownKey[2], description: `is not a field of ${unknownKey[1]}` });
  const badField = /^cannot decode field ([\w.]+) from JSON: (.*)$/s.exec(text);
  if (badField) {
    const field = jsonPathOf(input, badField[1]) ?? badField[1];
    return invalidArgument({ field, description: badField[2] });
  }
  return invalidArgument({ field: "body", description: text });
}

// The JSON path ("price.amount") of a field given by its full name ("common.v1.Money.amount"), searched from `root`.
function jsonPathOf(root: DescMessage, fullName: string, seen = new Set<string>()): string | undefined {
  seen.add(root.typeName);
  for (const field of root.fields) {
    if (`${root.typeName}.${field.name}` === fullName) return field.jsonName;
    if (field.message && !seen.has(field.message.typeName)) {
      const rest = jsonPathOf(field.message, fullName, seen);
      if (rest) return `${field.jsonName}.${rest}`;
    }
  }
  return undefined;
}
