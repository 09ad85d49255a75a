import { create, ScalarType, type DescEnum, type DescField, type DescMessage, type Message, type MessageShape } from "@bufbuild/protobuf";
import { timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";

// A domain speaks in plain data: Dates, status names ("DeliveryStarted"), Money. The contract
// speaks in Timestamps and enum numbers (ORDER_STATUS_DELIVERY_STARTED). The conversion between
// the two is read off the message descriptors, so no service writes a status table.

/** A protobuf message as a domain writes it: no $typeName, Timestamps as Dates, nested messages likewise. */
export type DomainForm<T> =
  T extends Timestamp ? Date
  : T extends Message ? { [K in keyof T as K extends "$typeName" | "$unknown" ? never : K]: DomainForm<T[K]> }
  : T extends readonly (infer U)[] ? DomainForm<U>[]
  : T;

/** What toMessage accepts: the domain form, every field optional, enum fields also by their domain name. */
export type DomainInit<T> =
  T extends Timestamp ? Date | Timestamp
  : T extends Message ? { [K in keyof T as K extends "$typeName" | "$unknown" ? never : K]?: DomainInit<T[K]> }
  : T extends readonly (infer U)[] ? readonly DomainInit<U>[]
  : T extends bigint ? bigint
  : T extends number ? number | string
  : T;

/**
 * The message `schema` describes, filled from a domain value: fields by name, Dates into
 * Timestamps, status names into enum values ("DeliveryStarted" → ORDER_STATUS_DELIVERY_STARTED).
 * Fields the message lacks are left out; a status name with no enum value throws.
 */
export function toMessage<D extends DescMessage>(schema: D, value: DomainInit<MessageShape<D>>): MessageShape<D> {
  return create(schema, initOf(schema, value as Record<string, unknown>) as never);
}

function initOf(desc: DescMessage, value: Record<string, unknown>): Record<string, unknown> {
  if ("$typeName" in value) return value; // already a message
  const init: Record<string, unknown> = {};
  for (const member of desc.members) {
    const v = value[member.localName];
    if (v === undefined || v === null) continue;
    init[member.localName] = member.kind === "oneof" ? v : fieldValue(member, v);
  }
  return init;
}

function fieldValue(field: DescField, v: unknown): unknown {
  switch (field.fieldKind) {
    case "scalar":
      return typeof v === "number" && longs.has(field.scalar) ? BigInt(v) : v;
    case "enum":
      return typeof v === "string" ? enumValue(field.enum, v) : v;
    case "message":
      return messageValue(field.message, v);
    case "list":
      return (v as unknown[]).map((item) =>
        field.listKind === "enum" && typeof item === "string" ? enumValue(field.enum, item)
        : field.listKind === "message" ? messageValue(field.message, item)
        : item);
    case "map":
      return v;
  }
}

function messageValue(desc: DescMessage, v: unknown): unknown {
  if (desc.typeName === "google.protobuf.Timestamp" && v instanceof Date) return timestampFromDate(v);
  return initOf(desc, v as Record<string, unknown>);
}

// The scalar types whose TypeScript form is bigint: a domain number is widened.
const longs = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.FIXED64, ScalarType.SFIXED64, ScalarType.SINT64]);

/** "DeliveryStarted", "deliveryStarted" or "delivery_started" → "DELIVERY_STARTED". */
export function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[\s-]+/g, "_").toUpperCase();
}

/** The number of the value of `desc` a domain calls `name` ("Placed" → ORDER_STATUS_PLACED); throws when there is none. */
export function enumValue(desc: DescEnum, name: string): number {
  const wanted = screamingSnake(name);
  const value = desc.values.find((v) => v.localName === wanted || v.name === wanted);
  if (!value) throw new Error(`${desc.typeName} has no value for "${name}" (looked for ${wanted})`);
  return value.number;
}

/** A domain's names for the values of a contract enum, checked once: every name has a value. */
export interface DomainEnum<T extends string> {
  toProto(name: T): number;
  /** The domain name of an enum number; undefined for UNSPECIFIED or a number the domain has no name for. */
  fromProto(n: number): T | undefined;
}

/** Pairs a domain's status names with a contract enum by name; throws at once when a name has no value. */
export function domainEnum<T extends string>(desc: DescEnum, names: readonly T[]): DomainEnum<T> {
  const numbers = new Map(names.map((n) => [n, enumValue(desc, n)]));
  const byNumber = new Map([...numbers].map(([n, v]) => [v, n]));
  return { toProto: (name) => numbers.get(name)!, fromProto: (n) => byNumber.get(n) };
}
