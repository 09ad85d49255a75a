import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ItemService } from "../../gen/meshtest/v1/sample_pb.js";
import { catalogOf } from "../service/catalog-entry.js";
import { defineService, dependency } from "../service/define-service.js";
import { freePort } from "../testing/free-port.js";
import { createLauncher, type LauncherOptions } from "./launcher.js";
import { formatLogLine } from "./pretty-log.js";
import { exitWasAskedFor, formatDelay, restartDelay, restartPolicy } from "./restart-policy.js";

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
    assert.ok(lines.some((l) => l.includes("id=a") && l.includes(`dep=127.0.0.1:${ports.b.httpPort}`) && l.includes("extra=yes")), lines.join("\n"));
    assert.equal(await launcher.stop("a"), 0);
    assert.deepEqual(launcher.running(), []);
  } finally {
    await launcher.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
});

test("restart backoff: 0.5 s doubling to 30 s; only a crash counts, not a graceful stop", () => {
  const policy = restartPolicy();
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => restartDelay(n, policy)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.deepEqual([formatDelay(500), formatDelay(1000), formatDelay(1500), formatDelay(30000)], ["500 ms", "1 s", "1.5 s", "30 s"]);
  assert.equal(exitWasAskedFor(0, null), true, "a clean exit: a service exits 0 only after SIGTERM or SIGINT");
  assert.equal(exitWasAskedFor(null, "SIGTERM"), true);
  assert.equal(exitWasAskedFor(null, "SIGKILL"), false);
  assert.equal(exitWasAskedFor(1, null), false);
});

// A stand-in service: answers /readyz, logs that it started (with its pid), exits 0 on SIGTERM; FAIL=1 makes it fail at start.
async function standIn(restart: LauncherOptions["restart"]) {
  const dir = await mkdtemp(join(tmpdir(), "launcher-"));
  await writeFile(join(dir, "run.mjs"), `
    import { createServer } from "node:http";
    if (process.env.FAIL) { console.error("cannot start: FAIL is set"); process.exit(1); }
    const s = createServer((req, res) => res.end("ok")).listen(Number(process.env.HTTP_PORT), "127.0.0.1");
    console.log(JSON.stringify({ level: "info", msg: "started", pid: process.pid }));
    process.on("SIGTERM", () => s.close(() => process.exit(0)));
  `);
  const lines: string[] = [];
  const a = defineService({ id: "a", port: 1, serves: [], start: () => ({ rpc: [] }) });
  const launcher = createLauncher({
    root: dir, entry: "run.mjs", ports: { a: { httpPort: await freePort(), grpcPort: await freePort() } }, write: (l) => lines.push(l), restart,
    catalog: catalogOf([{ name: "s", contexts: [a] }]),
  });
  const until = async (what: string, ok: () => boolean, timeoutMs = 10_000) => {
    for (const deadline = Date.now() + timeoutMs; !ok(); await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; log:\n${lines.join("\n")}`);
    }
  };
  const started = () => lines.filter((l) => /\bstarted\b/.test(l)).length;
  const cleanup = async () => {
    await launcher.stopAll();
    await rm(dir, { recursive: true, force: true });
  };
  return { launcher, lines, until, started, cleanup };
}

test("a service killed -9 from outside comes back by itself, ready, after a backoff that doubles; the log says so", async () => {
  const { launcher, lines, until, started, cleanup } = await standIn({ initialDelayMs: 100 });
  try {
    await launcher.start("a");
    await launcher.waitReady("a");
    for (const [attempt, delay] of [[1, "100 ms"], [2, "200 ms"]] as const) {
      const pid = launcher.pidOf("a")!;
      process.kill(pid, "SIGKILL");
      await until("the restart line", () => lines.some((l) => l.includes(`process exited (signal SIGKILL); restarting in ${delay} (attempt ${attempt})`)));
      await launcher.waitReady("a");
      assert.notEqual(launcher.pidOf("a"), pid, "a new process");
      assert.equal(launcher.stateOf("a"), "running");
    }
    assert.equal(started(), 3, "one process at a time: the first and two restarts");
  } finally {
    await cleanup();
  }
});

test("stopped on purpose (stop(), even with SIGKILL, or SIGTERM from outside) it stays down until start()", async () => {
  const { launcher, lines, until, started, cleanup } = await standIn({ initialDelayMs: 50 });
  try {
    await launcher.start("a");
    await launcher.waitReady("a");
    assert.equal(await launcher.stop("a", "SIGKILL"), null);
    await new Promise((r) => setTimeout(r, 300)); // six times the restart delay
    assert.deepEqual([launcher.stateOf("a"), launcher.running(), started()], ["stopped", [], 1]);
    assert.ok(lines.some((l) => l.includes("process exited (signal SIGKILL); stopped on purpose, not restarted")), lines.join("\n"));
    await assert.rejects(launcher.waitReady("a", 1000), /a is stopped/);

    await launcher.start("a");
    await launcher.waitReady("a");
    process.kill(launcher.pidOf("a")!, "SIGTERM"); // as `pkill -f "services/run.ts a"` does: a graceful stop, exit code 0
    await until("the clean exit", () => launcher.stateOf("a") === "stopped");
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([launcher.stateOf("a"), started()], ["stopped", 2]);
    assert.ok(lines.some((l) => l.includes("process exited (code 0); stopped on purpose, not restarted")), lines.join("\n"));
  } finally {
    await cleanup();
  }
});

test("start() while a restart is pending starts it now, once; stop() cancels a pending restart", async () => {
  const { launcher, until, started, cleanup } = await standIn({ initialDelayMs: 400 });
  try {
    await launcher.start("a");
    await launcher.waitReady("a");
    process.kill(launcher.pidOf("a")!, "SIGKILL");
    await until("the pending restart", () => launcher.stateOf("a") === "restarting");
    await launcher.start("a");
    await launcher.waitReady("a");
    const pid = launcher.pidOf("a");
    await new Promise((r) => setTimeout(r, 700)); // past the cancelled restart
    assert.deepEqual([launcher.pidOf("a"), started()], [pid, 2], "no second process");

    process.kill(launcher.pidOf("a")!, "SIGKILL");
    await until("the pending restart", () => launcher.stateOf("a") === "restarting");
    assert.equal(await launcher.stop("a"), null);
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual([launcher.stateOf("a"), started()], ["stopped", 2]);
  } finally {
    await cleanup();
  }
});

test("a process that fails while it first starts is reported with its last lines, not retried; restart: false never restarts", async () => {
  const failing = await standIn({ initialDelayMs: 50 });
  try {
    await failing.launcher.start("a", { env: { FAIL: "1" } });
    await assert.rejects(failing.launcher.waitReady("a"), /a exited before it was ready; its last lines:\ncannot start: FAIL is set/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(failing.launcher.stateOf("a"), "stopped");
    assert.ok(failing.lines.some((l) => l.includes("process exited (code 1) before it was ever ready; not restarted")), failing.lines.join("\n"));
  } finally {
    await failing.cleanup();
  }
  const never = await standIn(false);
  try {
    await never.launcher.start("a");
    await never.launcher.waitReady("a");
    process.kill(never.launcher.pidOf("a")!, "SIGKILL");
    await never.until("the exit", () => never.launcher.stateOf("a") === "stopped");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(never.started(), 1);
  } finally {
    await never.cleanup();
  }
});
