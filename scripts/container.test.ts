// The deployment for real: the release pipeline builds the image (on local bases made from Debian
// and npm packages) and packages the chart; the package's own rendered workloads run in podman
// (scripts/container/play.ts) with NATS and MySQL from the subcharts. Then, as an operator would
// check it: every service ready through the chart's probe paths, the seed's httpie order through
// the gateway container, non-root and read-only containers, config from the ConfigMap and the
// password from the Secret, a kill -9 restarted and the system converging, a stop draining its
// in-flight calls within the grace period. Image size and idle memory are reported.
// Needs root, podman, runc, mmdebstrap, jq and httpie (.ci/run installs them); skipped without podman.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import mysql from "mysql2/promise";
import { eventually } from "../mesh/testing/index.js";
import { down, play, podman, readinessOf, type Played } from "./container/play.js";

const run = promisify(execFile);
const missing = ["podman", "mmdebstrap", "jq", "http"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
const skip = missing.length > 0 ? `needs ${missing.join(", ")} (apt-get install podman runc mmdebstrap jq httpie)` : process.getuid?.() !== 0 ? "needs root" : false;
const release = "ct";
const version = JSON.parse(await readFile("package.json", "utf8")).version as string;
const image = { repository: "localhost/flower-mesh", tag: version };
const services = ["payment", "notification", "flower-order", "flower-store", "flower-delivery", "gateway"];
// Slow payments, so that an order is surely in flight inside flower-order when it is stopped.
const paymentLatencyMs = 1500;

let played: Played;
const name = (id: string) => `${release}-${id}`;
const address = (id: string) => played.addresses.get(name(id))!;
const container = (id: string) => played.containers.get(name(id))!;
const inspect = async (id: string, format: string) => (await podman(["inspect", container(id), "--format", format])).stdout.trim();
const gateway = () => `http://${address("gateway")}:8080`;
const json = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${gateway()}${path}`, { ...init, headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json().catch(() => ({})) };
};
const ready = async (id: string) => {
  const w = played.rendered.find((o) => o.metadata.name === name(id) && (o.kind === "Deployment" || o.kind === "StatefulSet"))!;
  const probe = readinessOf(w);
  if (!probe) return true;
  if ("exec" in probe) return podman(["exec", container(id), ...probe.exec]).then(() => true, () => false);
  return fetch(`http://${address(id)}:${probe.port}${probe.path}`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
};
const everyoneReady = () => eventually("every workload ready through its probe", async () => {
  for (const id of [...services, "nats", "mysql"]) if (!(await ready(id))) return undefined;
  return true;
}, 240_000);
const placeOrder = (phoneNumber: string) =>
  json("/flower/orders", { method: "POST", body: JSON.stringify({ flowerId: "1", qty: 1, address: "Seoul", phoneNumber }) });

describe("the image and the chart in containers (podman)", { skip, timeout: 1_500_000 }, () => {
  before(async () => {
    const built = await run("bash", ["scripts/container/release.sh", "--local-bases"], { maxBuffer: 256 * 1024 * 1024, timeout: 1_200_000 });
    assert.match(built.stdout, new RegExp(`chart: dist/release/flower-mesh-${version}\\.tgz`));
    played = await play({
      release, chart: `dist/release/flower-mesh-${version}.tgz`, image, network: "mesh-container-test", subnet: 78,
      set: [`services.payment.env.PAYMENT_LATENCY_MS=${paymentLatencyMs}`, "config.logLevel=debug"],
    });
  });
  after(async () => {
    if (played) await down(played);
  });

  test("every service, NATS and MySQL become ready through the chart's own probe paths", async () => {
    await everyoneReady();
    const { stdout } = await podman(["image", "inspect", `${image.repository}:${image.tag}`, "--format", "{{.Size}}"]);
    console.log(`# image ${image.repository}:${image.tag}: ${(Number(stdout) / 1e6).toFixed(0)} MB`);
  });

  test("the seed's httpie command places an order through the gateway container, and the saga runs", async () => {
    await everyoneReady();
    const { stdout } = await run("http", ["--ignore-stdin", "--check-status", "POST", `${address("gateway")}:8080/flower/orders`,
      "flowerId=1", "qty=2", "address=Seoul", "phoneNumber=010-1234-5678"], { timeout: 30_000 });
    const order = JSON.parse(stdout).order;
    assert.equal(order.status, "ORDER_STATUS_PLACED");
    const history = await eventually("delivery started", async () => {
      const { body } = await json(`/flower/orderHistories?orderId=${order.id}`);
      const h = body.orderHistories?.[0];
      return h?.deliveryStatus === "DELIVERY_STATUS_STARTED" ? h : undefined;
    }, 60_000);
    assert.deepEqual(history.steps.map((s: { event: string }) => s.event), ["PaymentApproved", "OrderPlaced", "FlowerWrapped", "DeliveryStarted"]);
    // The chart's NATS is 2.10: each policy's consumer takes exactly its subjects, so no event is delivered only to be ignored.
    const counted = (metrics: string, outcome: string) => metrics.split("\n")
      .filter((l) => l.startsWith("mesh_events_handled_total{") && l.includes(`outcome="${outcome}"`))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    const metricsOf = async (id: string) => (await fetch(`http://${address(id)}:8080/metrics`)).text();
    await eventually("flower-order to count the saga's events", async () => (counted(await metricsOf("flower-order"), "handled") >= 4 ? true : undefined), 10_000);
    for (const id of services) assert.equal(counted(await metricsOf(id), "ignored"), 0, `${id}: no delivery ignored`);
  });

  test("the services run as uid 65532 with a read-only root filesystem, writing only to their volumes", async () => {
    await everyoneReady();
    for (const id of services) {
      const pid = await inspect(id, "{{.State.Pid}}");
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      assert.match(status, /^Uid:\s+65532\s+65532\s+65532\s+65532$/m, `${id} runs as 65532`);
      assert.match(status, /^Gid:\s+65532\s/m, `${id}'s group`);
      assert.equal(await inspect(id, "{{.HostConfig.ReadonlyRootfs}}"), "true", `${id}: read-only root`);
      // Only what podman itself bind-mounts (/etc/hosts, resolv.conf, hostname) may show.
      const changed = (await podman(["diff", container(id)])).stdout.split("\n").filter((l) => l && !/^[AC] \/etc(\/(hosts|hostname|resolv\.conf))?$/.test(l));
      assert.deepEqual(changed, [], `${id} changed nothing outside its volumes`);
    }
  });

  test("configuration arrives from the ConfigMap and the MySQL password from the Secret, and the services use them", async () => {
    await everyoneReady();
    const configMap = played.rendered.find((o) => o.kind === "ConfigMap" && o.metadata.name === name("flower-order"))!;
    const secret = played.rendered.find((o) => o.kind === "Secret" && o.metadata.name === `${release}-mysql`)!;
    const password = Buffer.from(secret.data.password, "base64").toString();
    const env = new Map((JSON.parse(await inspect("flower-order", "{{json .Config.Env}}")) as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    for (const [key, value] of Object.entries<string>(configMap.data)) assert.equal(env.get(key), value, `${key} from the ConfigMap`);
    assert.equal(env.get("LOG_LEVEL"), "debug", "a value set at install reached the service");
    assert.equal(env.get("DATABASE_PASSWORD"), password, "the password from the Secret");
    // The services logged in with it, as root@'%' over the pod network: each made its own database.
    const connection = await mysql.createConnection({ host: address("mysql"), port: 3306, user: "root", password });
    try {
      const [rows] = await connection.query("show databases");
      const names = (rows as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
      for (const id of ["payment", "notification", "flower-order", "flower-store", "flower-delivery"]) {
        assert.ok(names.includes(`${release}_${id.replace("-", "_")}`), `${id}'s database in ${names.join(", ")}`);
      }
    } finally {
      await connection.end();
    }
  });

  test("kill -9 of a service container's process: the restart policy brings it back and the system converges", async () => {
    await everyoneReady();
    const restarts = Number(await inspect("flower-store", "{{.RestartCount}}"));
    process.kill(Number(await inspect("flower-store", "{{.State.Pid}}")), "SIGKILL");
    await eventually("restarted", async () => (Number(await inspect("flower-store", "{{.RestartCount}}")) > restarts ? true : undefined), 60_000);
    await everyoneReady();
    let last = "";
    const { status, body } = await eventually("an order through the restarted store", async () => {
      const r = await placeOrder("010-2000-0001").catch((e) => ({ status: 0, body: { message: String(e) } }));
      last = `${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
      return r.status === 200 ? r : undefined;
    }, 90_000).catch((e) => assert.fail(`${e.message}; last answer: ${last}`));
    assert.equal(status, 200);
    await eventually("the store took it", async () => {
      const { body: h } = await json(`/flower/orderHistories?orderId=${body.order.id}`);
      return h.orderHistories?.[0]?.steps.some((s: { event: string }) => s.event === "FlowerWrapped") ? true : undefined;
    }, 60_000);
  });

  test("stopping a service drains what it has in flight within the chart's grace period; started again, it serves", async () => {
    await everyoneReady();
    const workload = played.rendered.find((o) => o.kind === "Deployment" && o.metadata.name === name("flower-order"))!;
    const grace = workload.spec.template.spec.terminationGracePeriodSeconds as number;
    // Each order waits on payment for 1.5 s inside flower-order: the stop comes while all are in flight.
    const inFlight = Array.from({ length: 8 }, (_, i) => placeOrder(`010-3000-000${i}`));
    await sleep(paymentLatencyMs / 3);
    const started = Date.now();
    await podman(["stop", "--time", String(grace), container("flower-order")], { timeoutMs: (grace + 30) * 1000 });
    const stoppedMs = Date.now() - started;
    try {
      const answers = await Promise.all(inFlight);
      assert.deepEqual(answers.map((a) => `${a.status} ${a.status === 200 ? "" : JSON.stringify(a.body)}`.trim()), Array(8).fill("200"), "every order in flight was answered");
      assert.ok(stoppedMs < grace * 1000, `stopped in ${stoppedMs} ms, within ${grace} s`);
      assert.equal(await inspect("flower-order", "{{.State.ExitCode}}"), "0", "a clean exit, not a kill at the end of the grace period");
      console.log(`# flower-order drained 8 in-flight orders and stopped in ${stoppedMs} ms (grace ${grace} s)`);
    } finally {
      // Back for the tests after this one, whatever this one found.
      await podman(["start", container("flower-order")]);
    }
    await everyoneReady();
    // The gateway finds it again once its channel reconnects (a second or two).
    await eventually("an order through the started flower-order", async () => ((await placeOrder("010-3000-0100")).status === 200 ? true : undefined), 60_000);
  });

  test("idle memory of each container (reported)", async () => {
    await everyoneReady();
    await sleep(2000);
    const lines: string[] = [];
    for (const id of [...services, "nats", "mysql"]) {
      const status = await readFile(`/proc/${await inspect(id, "{{.State.Pid}}")}/status`, "utf8");
      const rss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
      assert.ok(rss > 0, `${id} has a resident set`);
      lines.push(`${id} ${(rss / 1024).toFixed(0)} MB`);
    }
    console.log(`# idle memory (RSS): ${lines.join(", ")}`);
  });
});
