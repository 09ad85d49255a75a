import { STATUS_CODES } from "node:http";
import type { DescMessage, DescMethod, DescService, JsonObject } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { isInternal } from "../proto/visibility.js";
import { httpBindings, type HttpBinding } from "./http-rules.js";
import { maxMessageBytes } from "../rpc/grpc-server.js";
import { errorStatuses } from "./http-status.js";
import { settableFromQuery } from "./request-decoding.js";
import { SchemaSet, wellKnown, type Comments, type Schema } from "./openapi-schemas.js";
import type { PathTemplate } from "./path-template.js";

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /** The comment of a descriptor (see commentsFrom): descriptions come from it. None without it. */
  comments?: Comments;
}

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: JsonObject;
  tags: JsonObject[];
  paths: Record<string, JsonObject>;
  components: { schemas: Record<string, Schema>; responses: Record<string, JsonObject> };
};

// The methods an OpenAPI path item can hold; a binding with any other custom method is left out.
const openApiMethods = new Set(["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"]);

// Query parameters reach into singular messages at most this many field names deep ("price.amount").
const maxQueryDepth = 3;

/**
 * The OpenAPI 3.1 document of the services' REST bindings (google.api.http): one operation per
 * binding, schemas by the protobuf JSON mapping, errors as google.rpc.Status. Deterministic, so
 * that a committed copy only changes with the contract.
 */
export function openApiDocument(listed: readonly DescService[], options: OpenApiOptions): OpenApiDocument {
  // A service listed twice (served by its own entry and by a gateway) is documented once.
  const services = [...new Map(listed.filter((s) => !isInternal(s)).map((s) => [s.typeName, s])).values()];
  const comments = options.comments ?? (() => undefined);
  const schemas = new SchemaSet(comments);
  const errors = errorResponses(schemas.message(StatusSchema));
  const bodyRefusals = bodyRefusalResponses(schemas.message(StatusSchema));
  // The detail types the runtime puts into errors, so that clients can read them.
  for (const detail of file_google_rpc_error_details.messages) schemas.message(detail);

  const label = serviceLabels(services);
  const paths: Record<string, JsonObject> = {};
  const operationIds = new Set<string>();
  for (const { binding, operationId } of numbered(httpBindings(services), label)) {
    const path = openApiPath(binding.template);
    if (!openApiMethods.has(binding.httpMethod) || path === undefined) continue;
    operationIds.add(operationId);
    const item = (paths[path] ??= {});
    const method = binding.httpMethod.toLowerCase();
    if (method in item) throw new Error(`${binding.httpMethod} ${path} is bound twice (${operationId})`);
    const refusals = binding.body === undefined ? [] : Object.keys(bodyRefusals);
    item[method] = operation(binding, operationId, label(binding.method.parent), schemas, comments, [...Object.keys(errors), ...refusals].sort());
  }

  return {
    openapi: "3.1.0",
    info: { title: options.title, version: options.version, ...(options.description && { description: options.description }) },
    tags: services.map((s) => ({ name: label(s), ...described(comments(s)) })),
    paths,
    components: { schemas: schemas.components(), responses: { ...errors, ...bodyRefusals } },
  };
}

/**
 * What names a service in tags and operation ids: its name, or where two systems each have one of
 * that name (resort's and rental's ReservationService), its package's too (resort_v1_ReservationService).
 */
function serviceLabels(services: readonly DescService[]): (service: DescService) => string {
  const count = new Map<string, number>();
  for (const s of services) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  return (s) => (count.get(s.name)! > 1 ? `${s.file.proto.package.replaceAll(".", "_")}_${s.name}` : s.name);
}

// <Service>_<Method>, with _2, _3... for the additional bindings in their order.
function numbered(bindings: HttpBinding[], label: (service: DescService) => string): { binding: HttpBinding; operationId: string }[] {
  const count = new Map<DescMethod, number>();
  return bindings.map((binding) => {
    const n = (count.get(binding.method) ?? 0) + 1;
    count.set(binding.method, n);
    const base = `${label(binding.method.parent)}_${binding.method.name}`;
    return { binding, operationId: n === 1 ? base : `${base}_${n}` };
  });
}

/**
 * The template as an OpenAPI path: each variable as `{field.path}` (a multi-segment one too, its
 * pattern told in the parameter), the verb kept. Undefined for an anonymous `*` or `**`, which
 * OpenAPI cannot express.
 */
function openApiPath(template: PathTemplate): string | undefined {
  const parts: string[] = [];
  for (let i = 0; i < template.segments.length; ) {
    const variable = template.variables.find((v) => v.start === i);
    const segment = template.segments[i];
    if (variable) {
      parts.push(`{${variable.fieldPath.join(".")}}`);
      i = variable.end ?? template.segments.length;
    } else if (segment.kind === "literal") {
      parts.push(segment.value);
      i++;
    } else {
      return undefined;
    }
  }
  return `/${parts.join("/")}${template.verb === undefined ? "" : `:${template.verb}`}`;
}

function operation(binding: HttpBinding, operationId: string, tag: string, schemas: SchemaSet, comments: Comments, errors: string[]): JsonObject {
  const { method } = binding;
  const [summary, ...rest] = (comments(method) ?? "").split(/\n\s*\n/);
  const parameters = [...pathParameters(binding, schemas, comments), ...queryParameters(binding, schemas, comments)];
  const requestBody = bodyOf(binding, schemas, comments);
  const response = binding.responseBody ? schemas.value(binding.responseBody) : schemas.message(method.output);
  return {
    operationId,
    tags: [tag],
    ...(summary && { summary: summary.replace(/\n/g, " ") }),
    ...described(rest.join("\n\n")),
    ...(method.deprecated && { deprecated: true }),
    ...(parameters.length > 0 && { parameters }),
    ...(requestBody && { requestBody }),
    responses: {
      "200": { description: "OK", content: json(response) },
      ...Object.fromEntries(errors.map((status) => [status, { $ref: `#/components/responses/${status}` }])),
    },
  };
}

function pathParameters(binding: HttpBinding, schemas: SchemaSet, comments: Comments): JsonObject[] {
  return binding.template.variables.map((variable, i) => {
    const field = binding.pathFields[i].at(-1)!;
    const segments = binding.template.segments.slice(variable.start, variable.end);
    const spansSegments = segments.length !== 1 || segments[0].kind !== "one";
    const pattern = segments.map((s) => (s.kind === "literal" ? s.value : s.kind === "one" ? "*" : "**")).join("/");
    const description = [comments(field), spansSegments && `Matches \`${pattern}\`, its slashes unescaped.`].filter(Boolean).join(" ");
    return { name: variable.fieldPath.join("."), in: "path", required: true, ...described(description), schema: schemas.value(field) };
  });
}

/**
 * Without a "*" body, the fields neither the path nor the body sets are read from the query:
 * scalars and enums, single or repeated, by their JSON names, dotted through singular messages.
 */
function queryParameters(binding: HttpBinding, schemas: SchemaSet, comments: Comments): JsonObject[] {
  if (binding.body === "*") return [];
  const taken = new Set(binding.pathFields.map((fields) => fields.map((f) => f.name).join(".")));
  if (binding.body) taken.add(binding.body.name);
  const parameters: JsonObject[] = [];
  const visit = (message: DescMessage, names: string[], jsonNames: string[]) => {
    for (const field of message.fields) {
      const path = [...names, field.name];
      if (taken.has(path.join("."))) continue;
      const jsonPath = [...jsonNames, field.jsonName];
      if (settableFromQuery(field)) {
        parameters.push({ name: jsonPath.join("."), in: "query", ...described(comments(field)), schema: schemas.value(field) });
      } else if (field.fieldKind === "message" && !wellKnown(field.message.typeName) && path.length < maxQueryDepth) {
        visit(field.message, path, jsonPath); // a well-known type has a JSON form of its own: not field by field
      }
    }
  };
  visit(binding.method.input, [], []);
  return parameters;
}

/**
 * The request body: the named field, or with "*" the whole request; fields the path sets are
 * left out of it (the path wins), so then the schema is the message's, inline, without them.
 */
function bodyOf(binding: HttpBinding, schemas: SchemaSet, comments: Comments): JsonObject | undefined {
  const { body, method } = binding;
  if (body === undefined) return undefined;
  if (body !== "*") return { ...described(comments(body)), required: true, content: json(schemas.value(body)) };
  if (binding.pathFields.length === 0) return { required: true, content: json(schemas.message(method.input)) };
  const inPath = new Set(binding.pathFields.filter((fields) => fields.length === 1).map(([f]) => f));
  const nested = binding.pathFields.filter((fields) => fields.length > 1).map((fields) => `\`${fields.map((f) => f.jsonName).join(".")}\``);
  const description = [comments(method.input), nested.length > 0 && `The path sets ${nested.join(", ")}.`].filter(Boolean).join(" ");
  const schema: Schema = {
    type: "object",
    ...described(description),
    properties: Object.fromEntries(method.input.fields.filter((f) => !inPath.has(f)).map((f) => [f.jsonName, schemas.field(f)])),
  };
  return { required: true, content: json(schema) };
}

/** One response per HTTP status an error can have, each a google.rpc.Status, keyed by the status. */
function errorResponses(status: Schema): Record<string, JsonObject> {
  const byStatus = [...errorStatuses()].sort(([a], [b]) => a - b);
  return Object.fromEntries(byStatus.map(([httpStatus, codes]) => {
    const names = codes.map((code) => `${Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase()} (${code})`);
    const which = names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names[0];
    const description = `${STATUS_CODES[httpStatus] ?? `HTTP ${httpStatus}`}: the call failed with ${which}.`;
    return [String(httpStatus), { description, content: json(status) }];
  }));
}

/** What the REST layer answers itself, before any handler, to a request body it cannot take. */
function bodyRefusalResponses(status: Schema): Record<string, JsonObject> {
  return {
    "413": { description: `Content Too Large: the body is over ${maxMessageBytes / 1024 / 1024} MiB (code RESOURCE_EXHAUSTED).`, content: json(status) },
    "415": { description: "Unsupported Media Type: the body is not application/json (code INVALID_ARGUMENT).", content: json(status) },
  };
}

const json = (schema: Schema): JsonObject => ({ "application/json": { schema } });

const described = (text: string | undefined | false): JsonObject => (text ? { description: text } : {});
