import { getOption, hasOption, type DescField, type DescMessage, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http } from "../../gen/google/api/annotations_pb.js";
import type { HttpRule } from "../../gen/google/api/http_pb.js";
import { parsePathTemplate, PathTemplateError, type PathTemplate } from "./path-template.js";

/** One REST binding of an RPC, read from its google.api.http annotation (or one of its additional_bindings). */
export interface HttpBinding {
  method: DescMethod;
  /** GET, POST, PUT, DELETE, PATCH, or a custom verb's name, upper-cased. */
  httpMethod: string;
  template: PathTemplate;
  /** The fields each path variable fills, resolved from the template's field paths. */
  pathFields: DescField[][];
  /** "*" (the whole request), a top-level field, or undefined (no body: the rest comes from the query). */
  body: "*" | DescField | undefined;
  /** The response field sent as the body, or undefined for the whole response. */
  responseBody: DescField | undefined;
}

/** Thrown at start when an annotation cannot be served: the contract is wrong, not the request. */
export class HttpRuleError extends Error {}

/** Every REST binding of the services' annotated methods, the additional bindings included. */
export function httpBindings(services: readonly DescService[]): HttpBinding[] {
  const bindings: HttpBinding[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (!hasOption(method, http)) continue;
      const rule = getOption(method, http);
      bindings.push(bindingOf(method, rule));
      for (const extra of rule.additionalBindings) {
        if (extra.additionalBindings.length > 0) throw ruleError(method, "additional_bindings must not nest");
        bindings.push(bindingOf(method, extra));
      }
    }
  }
  return bindings;
}

function bindingOf(method: DescMethod, rule: HttpRule): HttpBinding {
  if (method.methodKind !== "unary") throw ruleError(method, "only unary methods can be served as REST");
  const { pattern } = rule;
  if (pattern.case === undefined) throw ruleError(method, "the annotation names no HTTP method");
  const [httpMethod, source] =
    pattern.case === "custom" ? [pattern.value.kind.toUpperCase(), pattern.value.path] : [pattern.case.toUpperCase(), pattern.value];
  let template: PathTemplate;
  try {
    template = parsePathTemplate(source);
  } catch (error) {
    if (error instanceof PathTemplateError) throw ruleError(method, error.message);
    throw error;
  }
  const pathFields = template.variables.map((v) => resolveScalarPath(method, method.input, v.fieldPath));
  return {
    method,
    httpMethod,
    template,
    pathFields,
    body: rule.body === "" ? undefined : rule.body === "*" ? "*" : topLevelField(method, method.input, rule.body, "body"),
    responseBody: rule.responseBody === "" ? undefined : topLevelField(method, method.output, rule.responseBody, "response_body"),
  };
}

function topLevelField(method: DescMethod, message: DescMessage, name: string, what: string): DescField {
  const field = message.fields.find((f) => f.name === name);
  if (!field) throw ruleError(method, `${what} "${name}" is not a field of ${message.typeName}`);
  return field;
}

// A path variable must end on a singular scalar or enum field; it may pass through singular messages.
function resolveScalarPath(method: DescMethod, message: DescMessage, path: string[]): DescField[] {
  const fields: DescField[] = [];
  let current: DescMessage | undefined = message;
  for (const name of path) {
    const field: DescField | undefined = current?.fields.find((f) => f.name === name);
    if (!field) throw ruleError(method, `path variable ${path.join(".")}: no field "${name}" in ${current?.typeName ?? "a scalar"}`);
    fields.push(field);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  const last = fields[fields.length - 1];
  if (last.fieldKind !== "scalar" && last.fieldKind !== "enum") {
    throw ruleError(method, `path variable ${path.join(".")} must be a singular scalar or enum field`);
  }
  return fields;
}

function ruleError(method: DescMethod, why: string): HttpRuleError {
  return new HttpRuleError(`google.api.http of ${method.parent.typeName}.${method.name}: ${why}`);
}
