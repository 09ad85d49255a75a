import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { catalogOf } from "../service/catalog-entry.js";
import { defineService, dependency } from "../service/define-service.js";
import { freePort } from "../testing/free-port.js";
import { createLauncher } from "./launcher.js";
import { formatLogLine } from "./pretty-log.js";

test("log lines: JSON made readable, anything else passed through", () => {
  const line = JSON.stringify({ time: "2026-11-22T10:11:12.345Z", level: "warn", service: "x", msg: "breaker open", dependency: "payment", traceId: "t" });
  assert.equal(formatLogLine("flower-order", line, { colour: false, width: 14, index: 0 }),
    "10:11:12.345 flower-order   warn  breaker open  dependency=payment");
  assert.match(formatLogLine("payment", "plain text", { colour: false, width: 8, index: 1 }), /payment  plain text$/);
});

test("a service runs as its own process: ready through /readyz, env and dependency addresses passed, stopped by signal", async () => {
  const dir = await mkdtemp(join(tmpdir(), "launcher-"));
  // A stand-in entry point: answers /readyz, reports the service id and what it was given, exits on SIGTERM.
  await writeFile(join(dir, "run.mjs"), `
    import { createServer } from "node:http";
    const s = createServer((req, res) => res.end("ok")).listen(Number(process.env.HTTP_PORT), "127.0.0.1");
    console.log(JSON.stringify({ level: "info", msg: "env", id: process.argv[2], dep: process.env.B_ADDR, extra: process.env.EXTRA }));
    process.on("SIGTERM", () => s.close(() => process.exit(0)));
  `);
  const ports = { a: { httpPort: await freePort(), grpcPort: await freePort() }, b: { httpPort: await freePort(), grpcPort: await freePort() } };
  const lines: string[] = [];
  const b = defineService({ id: "b", port: 2, serves: [], start: () => ({ rpc: [] }) });
  const a = defineService({ id: "a", port: 1, serves: [], dependencies: { b: dependency("b", ItemService) }, start: () => ({ rpc: [] }) });
  const launcher = createLauncher({
    root: dir, entry: "run.mjs", ports, write: (l) => lines.push(l), serviceEnv: { a: { EXTRA: "yes" } },
    catalog: catalogOf([{ name: "s", contexts: [a, b] }]),
  });
  try {
    await launcher.start("a");
    await launcher.waitReady("a");
    assert.deepEqual(launcher.running(), ["a"]);
    assert.ok(lines.some((l) => l.includes("id=a") && l.includes(`dep=127.0.0.1:${ports.b.grpcPort}`) && l.includes("extra=yes")), lines.join("\n"));
    assert.equal(await launcher.stop("a"), 0);
    assert.deepEqual(launcher.running(), []);
  } finally {
    await launcher.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
});
