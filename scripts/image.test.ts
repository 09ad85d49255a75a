// The container image: the services compile to JavaScript that plain `node` runs, one entry point
// (dist/services/run.js <service id>) starts any catalog service, and the Dockerfile ships only that,
// non-root. (The image itself is built by `docker build`, which these tests do not run.)
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { freePorts } from "../mesh/testing/index.js";
import { catalog } from "../services/catalog.js";

const run = promisify(execFile);
const root = process.cwd();
// Inside the repository, so the compiled files find node_modules/ and package.json ("type": "module") by walking up.
const buildRoot = join(root, ".build-test");
let dir = "";
let dist = "";
// Plain node: no tsx loader, whatever this test runs under.
const plainEnv = (extra: Record<string, string> = {}) => {
  const { NODE_OPTIONS: _, ...env } = process.env;
  return { ...env, ...extra };
};
const runJs = (...args: string[]) =>
  run(process.execPath, [join(dist, "services/run.js"), ...args], { env: plainEnv() }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );

before(async () => {
  await mkdir(buildRoot, { recursive: true });
  dir = await mkdtemp(join(buildRoot, "image-"));
  dist = join(dir, "dist");
  // What `npm run build` does, into a directory of its own.
  await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", dist]);
  await mkdir(join(dist, "docs"));
  await copyFile("docs/openapi.json", join(dist, "docs/openapi.json"));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await rmdir(buildRoot).catch(() => {}); // unless another run is using it
});

async function* files(path: string): AsyncGenerator<string> {
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isDirectory()) yield* files(join(path, entry.name));
    else yield join(path, entry.name);
  }
}

test("npm run build compiles gen/, mesh/ and services/ without tests, fixtures, bench/ or scripts/, and copies the OpenAPI document", async () => {
  const pkg = JSON.parse(await readFile("package.json", "utf8")) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.build, /tsc -p tsconfig\.build\.json/);
  assert.match(pkg.scripts.build, /'docs\/openapi\.json'\s*,\s*'dist\/docs\/openapi\.json'/);
  assert.deepEqual((await readdir(dist)).sort(), ["docs", "gen", "mesh", "services"]);
  const compiled: string[] = [];
  for await (const path of files(dist)) compiled.push(path.slice(dist.length + 1));
  assert.deepEqual(compiled.filter((p) => /\.test\.js$|-fixtures\.js$/.test(p)), []);
  assert.ok(compiled.includes("services/run.js"), "the one entry point is compiled");
});

test("the compiled gateway runs under plain node: ready, serves /openapi.json, stops cleanly on SIGTERM", async () => {
  const [httpPort, grpcPort] = await freePorts(2);
  const child = spawn(process.execPath, [join(dist, "services/run.js"), "gateway"], {
    env: plainEnv({ HOST: "127.0.0.1", HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort) }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    const base = `http://127.0.0.1:${httpPort}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
      if (status === 200) break;
      assert.equal(child.exitCode, null, `the gateway exited:\n${output}`);
      assert.ok(Date.now() < deadline, `no 200 from /readyz in 20 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const openApi = await fetch(`${base}/openapi.json`);
    assert.equal(openApi.status, 200);
    assert.equal(((await openApi.json()) as { openapi: string }).openapi, "3.1.0");
  } finally {
    child.kill("SIGTERM");
  }
  const [code, signal] = await exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, output);
});

test("run.js refuses an unknown or missing service id with exit code 2, naming exactly the catalog's ids", async () => {
  for (const args of [["no-such-service"], []]) {
    const { code, stderr } = await runJs(...args);
    assert.equal(code, 2, stderr);
    const offered = stderr.match(/one of: (.+)$/m)?.[1].split(", ");
    assert.deepEqual(offered, catalog.map((e) => e.id), stderr);
  }
});

test("the Dockerfile builds in a stage of its own and runs non-root from dist/ with production dependencies only", async () => {
  const text = (await readFile("Dockerfile", "utf8")).replace(/\\\n/g, " ");
  const instructions = text.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const froms = instructions.flatMap((l, i) => (/^FROM\s/i.test(l) ? [i] : []));
  assert.ok(froms.length >= 2, "a multi-stage build");
  const final = instructions.slice(froms.at(-1));
  const last = (keyword: string) => final.filter((l) => l.toUpperCase().startsWith(`${keyword} `)).at(-1)?.slice(keyword.length).trim();

  const user = last("USER");
  assert.ok(user && !/^(root|0)(:|$)/.test(user), `the final stage runs as ${user ?? "root (no USER)"}`);
  assert.match(text, /npm (prune|ci|install)[^\n]*--omit=dev/, "dev dependencies are dropped");
  // The final stage takes only the build's output, production node_modules and package.json.
  for (const copy of final.filter((l) => /^COPY\s/i.test(l))) assert.match(copy, /--from=/, `${copy}: the final stage copies from the build stage only`);
  assert.ok(!final.some((l) => /^RUN\s/i.test(l)), "the final stage (distroless) has no shell to RUN in");

  const entrypoint = JSON.parse(last("ENTRYPOINT") ?? "[]") as string[];
  assert.equal(entrypoint.at(-1), "dist/services/run.js");
  assert.match(entrypoint[0] ?? "", /\/node$/);
  const cmd = JSON.parse(last("CMD") ?? "[]") as string[];
  assert.ok(catalog.some((e) => e.id === cmd[0]), `CMD ${cmd[0]} is a catalog id`);

  const ignored = (await readFile(".dockerignore", "utf8")).split("\n").map((l) => l.trim());
  for (const path of ["node_modules", "gen", "dist", "data", ".git"]) assert.ok(ignored.includes(path), `.dockerignore leaves out ${path}`);
});

test("the build's output directory is ignored by git", async () => {
  const ignored = (await readFile(".gitignore", "utf8")).split("\n").map((l) => l.trim());
  assert.ok(ignored.includes("dist/") && ignored.includes(".build-test/"));
});
