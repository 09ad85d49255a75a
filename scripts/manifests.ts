// Strict validation of rendered Kubernetes manifests (`helm template` output), offline.
//
// Every YAML document is checked against the OpenAPI schema of its kind, as compiled into the
// validators of `kubernetes-models` (Kubernetes) and `@kubernetes-models/istio` (Istio CRDs).
// An apiVersion/kind neither package knows is a problem.
//
// Those validators are Ajv "standalone" functions generated from the schemas, and the schemas
// carry no `additionalProperties: false`, so on their own they accept misspelled fields
// (`imagePullPolice`). The packages ship no schema JSON to walk, so the strict check watches
// the validator instead: it validates a Proxy of the object that records, for every object in
// the tree, which property names the validator looked up. A generated validator looks up each
// property its schema declares (`data.image !== undefined`), and enumerates the keys of a map
// (`additionalProperties: {...}`, e.g. labels). So a key the validator neither looked up nor
// enumerated is not in the schema: an unknown field, reported with its path. An object whose
// properties the validator never touched at all has a free-form schema
// (`x-kubernetes-preserve-unknown-fields`, e.g. an EnvoyFilter's patch value)
// and is not checked for unknown fields, as the API server would not check it either. The one
// blind spot: properties named `description` or `x-kubernetes-*`, which the package's generator
// strips from its schemas (see SCHEMA_BLIND_SPOTS). A test builds, from the packages' TypeScript
// declarations, an object with every declared field of every kind, and checks that none of them
// is reported unknown.
import * as k8sModels from "kubernetes-models";
import * as istioModels from "@kubernetes-models/istio";
import { parseAllDocuments } from "yaml";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

interface AjvError {
  instancePath: string;
  message?: string;
  keyword: string;
  params?: Record<string, unknown>;
}

let registry: Map<string, ModelClass> | undefined;

/** Every top-level kind of both packages, by `apiVersion/kind` (e.g. `apps/v1/Deployment`). */
export function knownKinds(): Map<string, ModelClass> {
  if (registry) return registry;
  registry = new Map();
  const visit = (ns: unknown, depth: number): void => {
    for (const value of Object.values(ns as Record<string, unknown>)) {
      if (typeof value === "function") {
        const cls = value as unknown as Partial<ModelClass>;
        if (typeof cls.apiVersion === "string" && typeof cls.kind === "string" && typeof cls.prototype?.validate === "function") {
          registry!.set(`${cls.apiVersion}/${cls.kind}`, cls as ModelClass);
        }
      } else if (value && typeof value === "object" && depth < 3) {
        visit(value, depth + 1);
      }
    }
  };
  visit(k8sModels, 0);
  visit(istioModels, 0);
  return registry;
}

/** Validates one object; problems are `path: message` (path is a JSON pointer, `/` for the root). */
export function validateObject(obj: unknown): string[] {
  if (!isPlainObject(obj)) return [`/: a manifest must be a mapping, got ${describe(obj)}`];
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["/: apiVersion and kind must both be set (strings)"];
  const model = knownKinds().get(`${apiVersion}/${kind}`);
  if (!model) return [`/: unknown apiVersion/kind ${apiVersion} ${kind} (not in kubernetes-models or @kubernetes-models/istio)`];

  const problems: string[] = [];
  const reads = new Map<object, Set<string>>();
  const paths = new Map<object, string>();
  const proxied = track(obj, "", reads, paths);
  try {
    model.prototype.validate.call(proxied);
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    for (const e of errors) problems.push(`${e.instancePath || "/"}: ${ajvMessage(e)}`);
  }
  for (const [target, path] of paths) {
    const seen = reads.get(target);
    // Never looked into: a free-form object (or one under a value of the wrong type, already reported).
    if (!seen || seen.has(ENUMERATED)) continue;
    for (const key of Object.keys(target)) {
      if (!seen.has(key) && !SCHEMA_BLIND_SPOTS.test(key)) problems.push(`${path}/${escapePointer(key)}: unknown field "${key}"`);
    }
  }
  problems.push(...metadataProblems(obj as K8sObject));
  return problems;
}

/** Parses every YAML document of `yamlText` (empty ones are skipped) and validates each object. */
export function validateManifests(yamlText: string): { objects: K8sObject[]; problems: string[] } {
  const objects: K8sObject[] = [];
  const problems: string[] = [];
  const identities = new Map<string, string>();
  const docs = parseAllDocuments(yamlText, { uniqueKeys: true, prettyErrors: true });
  if (!Array.isArray(docs)) {
    // An empty stream parses to a bare EmptyStream: no documents, nothing to check.
    return { objects, problems };
  }
  docs.forEach((doc, index) => {
    // helm template heads each document with "# Source: <chart>/templates/<file>".
    const comments = `${doc.commentBefore ?? ""}\n${(doc.contents as { commentBefore?: string } | null)?.commentBefore ?? ""}`;
    const source = /Source:\s*(\S+)/.exec(comments)?.[1];
    const where = (obj?: K8sObject): string =>
      [`document ${index + 1}`, source, obj ? `${obj.apiVersion} ${obj.kind} ${obj.metadata?.name ?? "(no name)"}` : undefined]
        .filter(Boolean)
        .join(", ");
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push(`${where()}: YAML: ${e.message}`);
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    const objectProblems = validateObject(value);
    const obj = value as K8sObject;
    for (const p of objectProblems) problems.push(`${where(isPlainObject(value) ? obj : undefined)}: ${p}`);
    if (!isPlainObject(value)) return;
    objects.push(obj);
    if (typeof obj.metadata?.name === "string") {
      const group = typeof obj.apiVersion === "string" && obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
      const id = `${group}/${obj.kind}/${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
      const first = identities.get(id);
      if (first) problems.push(`${where(obj)}: duplicate of ${first}`);
      else identities.set(id, where(obj));
    }
  });
  return { objects, problems };
}

// What the API server checks beyond the OpenAPI schema and a template most easily gets wrong.
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function metadataProblems(obj: K8sObject): string[] {
  const problems: string[] = [];
  const name = obj.metadata?.name;
  if (typeof name !== "string" || name === "") {
    problems.push("/metadata/name: required");
  } else if (obj.kind === "Service") {
    if (name.length > 63 || !DNS1035_LABEL.test(name)) problems.push(`/metadata/name: a Service name must be a DNS-1035 label (a-z0-9-, starts with a letter, at most 63): "${name}"`);
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    problems.push(`/metadata/name: must be a DNS-1123 subdomain (a-z0-9-., at most 253): "${name}"`);
  }
  const labelMaps: Array<[string, unknown]> = [["/metadata/labels", obj.metadata?.labels]];
  const template = (obj.spec as { template?: { metadata?: { labels?: unknown } } } | undefined)?.template;
  if (template && typeof template === "object") labelMaps.push(["/spec/template/metadata/labels", template.metadata?.labels]);
  for (const [path, labels] of labelMaps) {
    if (!isPlainObject(labels)) continue;
    for (const [key, value] of Object.entries(labels)) {
      if (typeof value === "string" && (value.length > 63 || !LABEL_VALUE.test(value))) {
        problems.push(`${path}/${escapePointer(key)}: invalid label value "${value}" (at most 63 of A-Za-z0-9-_., alphanumeric at both ends)`);
      }
    }
  }
  return problems;
}

const ENUMERATED = "\0enumerated";

// Property names the compiled validators never look up although the schema declares them: the
// generator strips every `description` and `x-kubernetes-*` key from the schemas, which also drops
// properties of those names (PriorityClass.description, a CRD's printer-column description and
// its openAPIV3Schema's description and x-kubernetes-* fields). They are accepted everywhere.
const SCHEMA_BLIND_SPOTS = /^(description|x-kubernetes-[a-z-]+)$/;

/** A read-only view of `value` that records which property names are looked up on each object. */
function track(value: unknown, path: string, reads: Map<object, Set<string>>, paths: Map<object, string>): unknown {
  if (!value || typeof value !== "object") return value;
  const target = value as Record<string, unknown>;
  const isArray = Array.isArray(target);
  if (!isArray) paths.set(target, path);
  const note = (key: string): void => {
    if (isArray) return;
    let seen = reads.get(target);
    if (!seen) reads.set(target, (seen = new Set()));
    seen.add(key);
  };
  const children = new Map<string, unknown>();
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key !== "string") return Reflect.get(t, key, receiver);
      note(key);
      if (!Object.hasOwn(t, key)) return Reflect.get(t, key, receiver);
      if (!children.has(key)) children.set(key, track(t[key], `${path}/${escapePointer(key)}`, reads, paths));
      return children.get(key);
    },
    has(t, key) {
      if (typeof key === "string") note(key);
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      if (typeof key === "string") note(key);
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys(t) {
      note(ENUMERATED);
      return Reflect.ownKeys(t);
    },
    set() {
      throw new Error("validators must not modify the object");
    },
    defineProperty() {
      throw new Error("validators must not modify the object");
    },
    deleteProperty() {
      throw new Error("validators must not modify the object");
    },
  });
}

function ajvMessage(e: AjvError): string {
  let message = e.message ?? e.keyword;
  if (e.keyword === "enum" && Array.isArray(e.params?.allowedValues)) message += `: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
  if (e.keyword === "required" && typeof e.params?.missingProperty === "string" && !message.includes(e.params.missingProperty)) {
    message += ` (${e.params.missingProperty})`;
  }
  return message;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? "a sequence" : value === null ? "null" : typeof value;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
