// Rules of the codebase's shape that a reviewer would otherwise have to remember.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

const importsOf = (source: string) => [...source.matchAll(/^\s*import\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);

test("domain files know nothing of protobuf, RPC, NATS, SQL or the runtime", async () => {
  const forbidden = /^(@bufbuild|@connectrpc|@grpc|knex|nats|mysql2|better-sqlite3)|\/gen\/|\/mesh\//;
  let domains = 0;
  for await (const path of files("services")) {
    if (!path.endsWith("domain.ts")) continue;
    domains++;
    const bad = importsOf(await readFile(path, "utf8")).filter((i) => forbidden.test(i));
    assert.deepEqual(bad, [], `${path} imports infrastructure`);
  }
  assert.ok(domains >= 5, `found ${domains} domain files`);
});

test("services use the runtime only through mesh/index.ts", async () => {
  for await (const path of files("services")) {
    const deep = importsOf(await readFile(path, "utf8")).filter((i) => /\/mesh\/(?!index\.js$)/.test(i));
    assert.deepEqual(deep, [], `${path} reaches into the runtime`);
  }
});

test("the runtime knows no service (its tests and their fixtures may use a sample contract)", async () => {
  for await (const path of files("mesh")) {
    if (path.endsWith(".test.ts") || path.endsWith("-fixtures.ts")) continue;
    const bad = importsOf(await readFile(path, "utf8")).filter((i) => /\/services\/|\/gen\/(flower|payment|notification)\//.test(i));
    assert.deepEqual(bad, [], `${path} depends on a service`);
  }
});
