import { HttpRuleError, type HttpBinding } from "./http-rules.js";
import { compareSpecificity, matchPath, type PathBinding } from "./path-template.js";

/** What a request path and method lead to. */
export type RouteMatch =
  | { kind: "found"; binding: HttpBinding; path: PathBinding[] }
  /** The path exists, but not for this method. */
  | { kind: "method-not-allowed"; allowed: string[] }
  | { kind: "none" };

export interface RestRouter {
  match(httpMethod: string, path: string): RouteMatch;
}

/** Routes requests to bindings, the most specific template first (a literal segment beats a variable). */
export function createRestRouter(bindings: readonly HttpBinding[]): RestRouter {
  refuseDuplicates(bindings);
  const ordered = [...bindings].sort((a, b) => compareSpecificity(a.template, b.template));
  return {
    match(httpMethod, path) {
      const allowed: string[] = [];
      // HEAD is a GET without the body, as HTTP says.
      const wanted = httpMethod === "HEAD" ? "GET" : httpMethod;
      for (const binding of ordered) {
        const bound = matchPath(binding.template, path);
        if (!bound) continue;
        if (binding.httpMethod === wanted) return { kind: "found", binding, path: bound };
        if (!allowed.includes(binding.httpMethod)) allowed.push(binding.httpMethod);
      }
      return allowed.length > 0 ? { kind: "method-not-allowed", allowed } : { kind: "none" };
    },
  };
}

// Two RPCs on the same method and path shape would leave one unreachable: a contract error, said at start.
function refuseDuplicates(bindings: readonly HttpBinding[]): void {
  const seen = new Map<string, HttpBinding>();
  for (const binding of bindings) {
    const { segments, verb } = binding.template;
    const shape = `${binding.httpMethod} /${segments.map((s) => (s.kind === "literal" ? s.value : s.kind)).join("/")}${verb ? `:${verb}` : ""}`;
    const other = seen.get(shape);
    if (other) {
      throw new HttpRuleError(`${binding.method.parent.typeName}.${binding.method.name} and ${other.method.parent.typeName}.${other.method.name} both bind ${binding.httpMethod} ${binding.template.source}`);
    }
    seen.set(shape, binding);
  }
}
