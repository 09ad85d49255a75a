// Rules of the codebase's shape that a reviewer would otherwise have to remember.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { systems } from "../services/catalog.js";

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (path.endsWith(".ts")) yield path;
  }
}

const importsOf = (source: string) => [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
/** Each file with what it imports, relative imports resolved to repository paths ("services/flower/events.js"). */
async function sources(dir: string): Promise<Array<{ path: string; text: string; imports: string[] }>> {
  const out = [];
  for await (const path of files(dir)) {
    const text = await readFile(path, "utf8");
    const imports = importsOf(text).map((i) => (i.startsWith(".") ? relative(".", normalize(join(dirname(path), i))) : i));
    out.push({ path, text, imports });
  }
  return out;
}
const isTest = (path: string) => /\.test\.ts$|-fixtures\.ts$/.test(path);
const systemFolders = systems.map((s) => `services/${s.name}/`);
const sharedFolders = ["services/payment/", "services/notification/", "services/gateway/"];

test("domain files know nothing of protobuf, RPC, NATS, SQL or the runtime: the shared kernel is all they import", async () => {
  const forbidden = /^(@bufbuild|@connectrpc|@grpc|knex|nats|mysql2|better-sqlite3)|^gen\/|^mesh\/(?!kernel\/index\.js$)|^services\/.*\/(?!domain\.js$)[^/]+$/;
  const domains = (await sources("services")).filter((s) => s.path.endsWith("domain.ts"));
  assert.ok(domains.length >= 5, `found ${domains.length} domain files`);
  for (const d of domains) assert.deepEqual(d.imports.filter((i) => forbidden.test(i)), [], `${d.path} imports infrastructure`);
});

test("the shared kernel is pure: it imports nothing but itself", async () => {
  for (const s of await sources("mesh/kernel")) {
    if (isTest(s.path)) continue;
    assert.deepEqual(s.imports.filter((i) => !i.startsWith("mesh/kernel/")), [], `${s.path} imports something`);
  }
});

test("services use the runtime through its entries: mesh/index.ts (and the kernel); tests mesh/testing; the entry points mesh/launcher (or its runService alone)", async () => {
  for (const s of await sources("services")) {
    const allowed = ["mesh/index.js", "mesh/kernel/index.js"];
    if (isTest(s.path)) allowed.push("mesh/testing/index.js");
    if (["services/run.ts", "services/start.ts"].includes(s.path)) allowed.push("mesh/launcher/index.js", "mesh/launcher/run-service.js");
    const deep = s.imports.filter((i) => i.startsWith("mesh/") && !allowed.includes(i));
    assert.deepEqual(deep, [], `${s.path} reaches into the runtime`);
  }
});

test("systems plug in: no shared service, the gateway or the runtime imports a system, and no system imports another", async () => {
  const all = [...(await sources("services")), ...(await sources("mesh"))];
  for (const s of all) {
    const own = systemFolders.find((f) => s.path.startsWith(f));
    const generic = sharedFolders.some((f) => s.path.startsWith(f)) || s.path.startsWith("mesh/");
    for (const i of s.imports) {
      const target = systemFolders.find((f) => i.startsWith(f)) ?? systems.map((x) => `gen/${x.name}/`).find((g) => i.startsWith(g));
      if (!target) continue;
      if (generic) assert.fail(`${s.path} imports ${i}: shared services, the gateway and the runtime know no system`);
      if (own && !target.endsWith(own.slice("services/".length))) assert.fail(`${s.path} imports ${i}: one system imports another`);
    }
  }
});

test("the runtime knows no service, and its own tests use the test contract (proto/meshtest)", async () => {
  for (const s of await sources("mesh")) {
    const bad = s.imports.filter((i) => i.startsWith("services/") || (/^gen\//.test(i) && !/^gen\/(meshtest|google|grpc|common)\//.test(i)));
    assert.deepEqual(bad, [], `${s.path} depends on a service's contract or code`);
  }
});

test("no double cast anywhere under services/: events, rows and messages are typed end to end", async () => {
  for (const s of await sources("services")) assert.ok(!/as unknown as/.test(s.text), `${s.path} casts through unknown`);
});
