// The committed OpenAPI document: up to date with the contract, valid OpenAPI 3.1, complete.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { httpBindings } from "../mesh/rest/http-rules.js";
import { catalog } from "../services/catalog.js";
import { buildImage, catalogOpenApi, documentPath, documentText } from "./catalog-openapi.js";

const committedText = await readFile(documentPath, "utf8");
const committed = JSON.parse(committedText) as { paths: Record<string, Record<string, { operationId: string }>> };

test("docs/openapi.json is what the contract generates now", async () => {
  const dir = await mkdtemp(join(tmpdir(), "openapi-"));
  try {
    const image = join(dir, "contract.binpb"); // built afresh, so that a proto edit without `npm run generate` shows
    await buildImage(image);
    assert.ok(documentText(await catalogOpenApi(image)) === committedText, `${documentPath} is out of date: run npm run generate`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("docs/openapi.json validates as OpenAPI 3.1", async () => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(committed));
  assert.deepEqual(result, { valid: true });
  assert.equal(validator.version, "3.1");
});

test("every $ref in docs/openapi.json points at a component", () => {
  const refs = [...committedText.matchAll(/"\$ref": "#\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length > 0);
  for (const ref of new Set(refs)) {
    const target = ref.split("/").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], committed);
    assert.ok(target !== undefined, `#/${ref} points at nothing`);
  }
});

test("every REST binding of every catalog service is an operation", () => {
  const documented = new Map(Object.entries(committed.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op.operationId] as const)));
  const bindings = httpBindings([...new Set(catalog.flatMap((entry) => entry.serves))]);
  assert.ok(bindings.length > 0);
  for (const { method, httpMethod, template } of bindings) {
    // The catalog's templates use single-segment variables only, so each is its OpenAPI path as written.
    const operationId = documented.get(`${httpMethod} ${template.source}`);
    // A service name two systems share is qualified by its package (resort_v1_ReservationService_Reserve).
    const named = operationId?.startsWith(`${method.parent.name}_${method.name}`) || operationId?.startsWith(`${method.parent.typeName.replaceAll(".", "_")}_${method.name}`);
    assert.ok(named, `${method.parent.typeName}.${method.name} (${httpMethod} ${template.source}) is missing`);
  }
  assert.equal(documented.size, bindings.length);
});
