import type { DescEnum, DescField, DescMessage, JsonValue } from "@bufbuild/protobuf";

// The seeds sent enum values in their own short form (`Rentable`, `NotPaid`, `Canceled`); protobuf
// JSON knows only the full names (`ITEM_STATUS_RENTABLE`). Every REST request accepts both: a
// string that is not a value's name is matched, ignoring case, `_` and `-`, against the names
// without the enum's prefix. What matches nothing is left for the decoder to reject, naming the field.

type JsonObject = { [key: string]: JsonValue };

const squeeze = (text: string) => text.replace(/[_\-\s]/g, "").toLowerCase();
const shortNames = new WeakMap<DescEnum, Map<string, string>>();

function fullName(desc: DescEnum, given: string): string {
  if (desc.values.some((v) => v.name === given)) return given;
  let names = shortNames.get(desc);
  if (!names) {
    names = new Map();
    for (const v of desc.values) names.set(squeeze(v.name), v.name);
    for (const v of desc.values) if (!names.has(squeeze(v.localName))) names.set(squeeze(v.localName), v.name);
    shortNames.set(desc, names);
  }
  return names.get(squeeze(given)) ?? given;
}

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

function rewrite(field: DescField, value: JsonValue): JsonValue {
  switch (field.fieldKind) {
    case "enum":
      return typeof value === "string" ? fullName(field.enum, value) : value;
    case "message":
      if (isObject(value)) acceptShortEnumNames(field.message, value);
      return value;
    case "list":
      if (!Array.isArray(value)) return value;
      if (field.listKind === "enum") return value.map((v) => (typeof v === "string" ? fullName(field.enum, v) : v));
      if (field.listKind === "message") for (const v of value) if (isObject(v)) acceptShortEnumNames(field.message, v);
      return value;
    case "map":
      if (!isObject(value)) return value;
      for (const [k, v] of Object.entries(value)) {
        if (field.mapKind === "enum" && typeof v === "string") value[k] = fullName(field.enum, v);
        if (field.mapKind === "message" && isObject(v)) acceptShortEnumNames(field.message, v);
      }
      return value;
    default:
      return value;
  }
}

/** Rewrites, in place, every enum value of `json` (a `message` in protobuf JSON) given in short form to its full name. */
export function acceptShortEnumNames(message: DescMessage, json: JsonObject): void {
  if (message.typeName.startsWith("google.protobuf.")) return; // well-known types have their own JSON forms
  for (const [key, value] of Object.entries(json)) {
    const field = message.fields.find((f) => f.jsonName === key || f.name === key);
    if (field && value !== null) json[key] = rewrite(field, value);
  }
}
