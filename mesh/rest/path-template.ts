/**
 * google.api.http path templates (`/flower/orders/{id}`, `/v1/{name=shelves/*}/books/**:move`):
 * parsed once at start, matched against every request path.
 *
 *   Template = "/" Segments [ ":" Verb ]
 *   Segment  = "*" | "**" | LITERAL | "{" FieldPath [ "=" Segments ] "}"
 */

/** One segment pattern: a literal, `*` (exactly one segment) or `**` (the rest, zero or more). */
type Segment = { kind: "literal"; value: string } | { kind: "one" } | { kind: "rest" };

/** A variable: the request field it fills (`["order", "id"]`) and the segments it spans. */
export interface TemplateVariable {
  fieldPath: string[];
  start: number;
  /** Exclusive; undefined when the variable ends with `**` and takes the rest of the path. */
  end: number | undefined;
}

export interface PathTemplate {
  /** The template as written. */
  source: string;
  segments: Segment[];
  variables: TemplateVariable[];
  verb: string | undefined;
}

/** A variable's field path and the (percent-decoded) text it matched. */
export interface PathBinding {
  fieldPath: string[];
  value: string;
}

export class PathTemplateError extends Error {}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a template, throwing PathTemplateError with the reason when it is malformed. */
export function parsePathTemplate(source: string): PathTemplate {
  const fail = (why: string): never => {
    throw new PathTemplateError(`path template ${JSON.stringify(source)}: ${why}`);
  };
  if (!source.startsWith("/")) fail("must start with /");
  let rest = source.slice(1);
  let verb: string | undefined;
  // A verb follows the last "/" and lies outside any variable.
  const colon = rest.lastIndexOf(":");
  if (colon >= 0 && colon > rest.lastIndexOf("}") && colon > rest.lastIndexOf("/")) {
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!verb) fail("empty verb after ':'");
  }

  const segments: Segment[] = [];
  const variables: TemplateVariable[] = [];
  const addSegment = (text: string) => {
    if (text === "") fail("empty segment");
    if (text === "**") segments.push({ kind: "rest" });
    else if (text === "*") segments.push({ kind: "one" });
    else if (/[{}=*]/.test(text)) fail(`unexpected characters in segment ${JSON.stringify(text)}`);
    else segments.push({ kind: "literal", value: text });
  };

  let i = 0;
  while (i <= rest.length) {
    if (rest[i] === "{") {
      const close = rest.indexOf("}", i);
      if (close < 0) fail("unclosed '{'");
      const inner = rest.slice(i + 1, close);
      const [path, pattern = "*"] = inner.split("=", 2);
      const fieldPath = path.split(".");
      if (!fieldPath.every((part) => identifier.test(part))) fail(`bad field path ${JSON.stringify(path)}`);
      if (variables.some((v) => v.fieldPath.join(".") === path)) fail(`field ${path} bound twice`);
      const start = segments.length;
      for (const text of pattern.split("/")) addSegment(text);
      variables.push({ fieldPath, start, end: segments.at(-1)!.kind === "rest" ? undefined : segments.length });
      i = close + 1;
      if (i < rest.length && rest[i] !== "/") fail("a variable must fill whole segments");
      i++;
    } else {
      let slash = rest.indexOf("/", i);
      if (slash < 0) slash = rest.length;
      addSegment(rest.slice(i, slash));
      i = slash + 1;
    }
  }
  if (segments.slice(0, -1).some((s) => s.kind === "rest")) fail("'**' must be the last segment");
  return { source, segments, variables, verb };
}

/**
 * Matches a request path (without the query) against the template; returns the variables'
 * bindings, or undefined when it does not match. Single-segment values are fully
 * percent-decoded; multi-segment values keep their "/" separators.
 */
export function matchPath(template: PathTemplate, path: string): PathBinding[] | undefined {
  let rest = path.startsWith("/") ? path.slice(1) : path;
  if (template.verb !== undefined) {
    if (!rest.endsWith(`:${template.verb}`)) return undefined;
    rest = rest.slice(0, -template.verb.length - 1);
  }
  const parts = rest === "" ? [] : rest.split("/");
  const { segments } = template;
  const last = segments.at(-1);
  const open = last?.kind === "rest";
  if (open ? parts.length < segments.length - 1 : parts.length !== segments.length) return undefined;

  const decoded: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const segment = segments[Math.min(i, segments.length - 1)];
    let part: string;
    try {
      part = decodeURIComponent(parts[i]);
    } catch {
      return undefined; // a malformed escape matches nothing
    }
    if (segment.kind === "literal" && part !== segment.value) return undefined;
    if (segment.kind === "one" && part === "") return undefined;
    decoded.push(part);
  }
  return template.variables.map(({ fieldPath, start, end }) => ({
    fieldPath,
    value: decoded.slice(start, end ?? decoded.length).join("/"),
  }));
}

/**
 * Orders templates so that the more specific is tried first: at the first segment where they
 * differ, a literal beats `*`, which beats `**`; a template with a verb beats one without.
 */
export function compareSpecificity(a: PathTemplate, b: PathTemplate): number {
  const rank = (s: Segment | undefined) => (s === undefined ? 3 : s.kind === "literal" ? 0 : s.kind === "one" ? 1 : 2);
  for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
    const diff = rank(a.segments[i]) - rank(b.segments[i]);
    if (diff !== 0) return diff;
  }
  return (a.verb === undefined ? 1 : 0) - (b.verb === undefined ? 1 : 0);
}
