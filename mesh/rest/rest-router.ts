import type { HttpBinding } from "./http-rules.js";
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
