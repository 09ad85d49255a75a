import { ScalarType, type AnyDesc, type DescEnum, type DescField, type DescMessage, type JsonObject } from "@bufbuild/protobuf";

/** A JSON Schema (the OpenAPI 3.1 dialect) as a plain JSON object. */
export type Schema = JsonObject;

export type Comments = (desc: AnyDesc) => string | undefined;

/**
 * JSON Schemas of protobuf types as the protobuf JSON mapping writes them (lowerCamelCase names,
 * 64-bit integers as strings, enums by name, well-known types in their special forms). Messages
 * and enums become components keyed by full name, collected as they are referenced.
 */
export class SchemaSet {
  readonly #components = new Map<string, Schema>();

  constructor(private readonly comments: Comments) {}

  /** A message: a $ref to its component, or inline for a well-known type with a JSON form of its own. */
  message(message: DescMessage): Schema {
    const special = wellKnown(message.typeName);
    if (special) return special;
    this.#define(message.typeName, () => ({
      type: "object",
      ...this.#documented(message),
      properties: Object.fromEntries(message.fields.map((f) => [f.jsonName, this.field(f)])),
    }));
    return ref(message.typeName);
  }

  /** A field as a property: its value's schema with the field's comment. */
  field(field: DescField): Schema {
    return { ...this.value(field), ...this.#documented(field) };
  }

  /** A field's value, singular, repeated or map. */
  value(field: DescField): Schema {
    switch (field.fieldKind) {
      case "scalar": return scalar(field.scalar);
      case "enum": return this.#enum(field.enum);
      case "message": return this.message(field.message);
      case "list": return { type: "array", items: this.#element(field) };
      case "map": return { type: "object", additionalProperties: this.#element(field) }; // JSON keys are strings, whatever the key type
    }
  }

  /** Every component referenced so far, by name. */
  components(): Record<string, Schema> {
    return Object.fromEntries([...this.#components].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  // The element of a list or the value of a map: exactly one of message, enum and scalar is set.
  #element(field: DescField): Schema {
    if (field.message) return this.message(field.message);
    if (field.enum) return this.#enum(field.enum);
    return scalar(field.scalar as ScalarType);
  }

  #enum(desc: DescEnum): Schema {
    if (desc.typeName === "google.protobuf.NullValue") return { type: "null" };
    this.#define(desc.typeName, () => {
      // JSON Schema cannot describe each value: their comments go into the enum's description.
      const values = desc.values.flatMap((v) => {
        const comment = this.comments(v);
        return comment ? [`- ${v.name}: ${comment.replace(/\n/g, " ")}`] : [];
      });
      const description = [this.comments(desc), values.join("\n")].filter(Boolean).join("\n\n");
      return { type: "string", enum: desc.values.map((v) => v.name), ...(description && { description }), ...deprecated(desc) };
    });
    return ref(desc.typeName);
  }

  #documented(desc: DescMessage | DescField): Schema {
    const description = this.comments(desc);
    return { ...(description && { description }), ...deprecated(desc) };
  }

  // Reserves the name before building, so that a recursive message refers to itself.
  #define(name: string, build: () => Schema): void {
    if (this.#components.has(name)) return;
    this.#components.set(name, {});
    this.#components.set(name, build());
  }
}

const ref = (typeName: string): Schema => ({ $ref: `#/components/schemas/${typeName}` });

const deprecated = (desc: { deprecated: boolean }): Schema => (desc.deprecated ? { deprecated: true } : {});

function scalar(type: ScalarType): Schema {
  switch (type) {
    case ScalarType.INT32: case ScalarType.SINT32: case ScalarType.SFIXED32: return { type: "integer", format: "int32" };
    case ScalarType.UINT32: case ScalarType.FIXED32: return { type: "integer", format: "uint32" };
    // Written as strings: a JSON number cannot hold every 64-bit integer.
    case ScalarType.INT64: case ScalarType.SINT64: case ScalarType.SFIXED64: return { type: "string", format: "int64" };
    case ScalarType.UINT64: case ScalarType.FIXED64: return { type: "string", format: "uint64" };
    case ScalarType.FLOAT: return { type: "number", format: "float" };
    case ScalarType.DOUBLE: return { type: "number", format: "double" };
    case ScalarType.BOOL: return { type: "boolean" };
    case ScalarType.STRING: return { type: "string" };
    case ScalarType.BYTES: return { type: "string", contentEncoding: "base64" };
  }
}

const wrappers: Record<string, ScalarType> = {
  "google.protobuf.DoubleValue": ScalarType.DOUBLE,
  "google.protobuf.FloatValue": ScalarType.FLOAT,
  "google.protobuf.Int64Value": ScalarType.INT64,
  "google.protobuf.UInt64Value": ScalarType.UINT64,
  "google.protobuf.Int32Value": ScalarType.INT32,
  "google.protobuf.UInt32Value": ScalarType.UINT32,
  "google.protobuf.BoolValue": ScalarType.BOOL,
  "google.protobuf.StringValue": ScalarType.STRING,
  "google.protobuf.BytesValue": ScalarType.BYTES,
};

/** The inline schema of a well-known type whose JSON form is not an object of its fields. */
export function wellKnown(typeName: string): Schema | undefined {
  if (typeName in wrappers) {
    const { type, ...rest } = scalar(wrappers[typeName]);
    return { type: [type, "null"], ...rest };
  }
  switch (typeName) {
    case "google.protobuf.Timestamp": return { type: "string", format: "date-time" };
    case "google.protobuf.Duration": return { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$", examples: ["1.5s"] };
    case "google.protobuf.FieldMask": return { type: "string", description: "Field paths in lowerCamelCase, separated by commas." };
    case "google.protobuf.Empty": return { type: "object" };
    case "google.protobuf.Struct": return { type: "object" };
    case "google.protobuf.ListValue": return { type: "array" };
    case "google.protobuf.Value": return { description: "Any JSON value." };
    case "google.protobuf.Any": return {
      type: "object",
      description: 'A message of the type "@type" names (type.googleapis.com/ and its full name), with its fields beside "@type".',
      properties: { "@type": { type: "string" } },
      required: ["@type"],
    };
    default: return undefined;
  }
}
