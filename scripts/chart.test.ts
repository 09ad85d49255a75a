// The Helm chart, offline: lint, render every example, validate every object against the
// Kubernetes and Istio schemas, and hold the chart to what the runtime really serves and reads.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { addressVariable, freePorts, readEnv, readRuntimeConfig, startService } from "../mesh/testing/index.js";
import { catalog, systems } from "../services/catalog.js";
import { helm } from "./helm.js";
import { validateManifests, type K8sObject } from "./manifests.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const chart = join(root, "helm");
const examples = readdirSync(join(chart, "examples")).filter((f) => f.endsWith(".yaml")).sort();
const namespace = "shop";
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function render(...args: string[]): Promise<K8sObject[]> {
  const out = await helm(["template", "mesh", chart, "--namespace", namespace, ...args]);
  assert.equal(out.code, 0, out.stderr);
  const { objects, problems } = validateManifests(out.stdout);
  assert.deepEqual(problems, [], `rendered with ${args.join(" ") || "the defaults"}`);
  return objects;
}

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind) as Any[];
const named = (objects: K8sObject[], kind: string, name: string) => ofKind(objects, kind).find((o) => o.metadata.name === name);
const component = (o: Any): string => o.metadata.labels["app.kubernetes.io/component"];

const definitionOf = (id: string) => catalog.find((e) => e.id === id)!.definition;

// The names of the variables a service reads: the runtime's, its dependencies' addresses and its own, recorded as it reads them.
async function variablesRead(id: string): Promise<Set<string>> {
  const names = new Set<string>();
  const recording = new Proxy({} as Record<string, string | undefined>, { get: (_, name) => (names.add(String(name)), undefined) });
  const env = readEnv(recording);
  readRuntimeConfig(env, catalog.find((e) => e.id === id)!, catalog);
  definitionOf(id).config?.(env);
  return names;
}

describe("helm chart", { timeout: 120_000 }, () => {
  let defaults: K8sObject[];
  before(async () => {
    defaults = await render();
  });

  test("lints clean (--strict), alone and with every example values file", async () => {
    for (const values of [[], ...examples.map((f) => ["-f", join(chart, "examples", f)])]) {
      const out = await helm(["lint", "--strict", chart, ...values]);
      assert.equal(out.code, 0, `${values.join(" ")}: ${out.stdout}${out.stderr}`);
    }
  });

  test("every example renders, and every object is valid Kubernetes or Istio, unknown fields included", async () => {
    for (const file of examples) {
      const objects = await render("-f", join(chart, "examples", file));
      assert.ok(ofKind(objects, "Deployment").length >= 6, file);
    }
  });

  test("the chart's service list is the catalog's: ids, systems, dependencies, and which keep no state", async () => {
    const values = parse(readFileSync(join(chart, "values.yaml"), "utf8")) as Any;
    const listed = Object.entries(values.services as Any).map(([id, s]) => ({ id, system: s.system, dependsOn: s.dependsOn, stateless: s.stateless ?? false }));
    const expected = catalog.map((e) => ({
      id: e.id, system: e.system, dependsOn: [...e.dependsOn], stateless: !e.definition.tables?.length && !e.definition.migrations?.length,
    }));
    // The systems, as the catalog's one list has them: the values' switches and the names the schema allows.
    const schema = JSON.parse(readFileSync(join(chart, "values.schema.json"), "utf8")) as Any;
    assert.deepEqual(Object.keys(values.systems).sort(), systems.map((s) => s.name).sort());
    assert.deepEqual([...schema.properties.systems.propertyNames.enum].sort(), systems.map((s) => s.name).sort());
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    assert.deepEqual(listed.sort(byId), expected.sort(byId));
    assert.deepEqual(ofKind(defaults, "Deployment").map((d) => d.spec.template.spec.containers[0].args).sort(), catalog.map((e) => [e.id]).sort());
  });

  test("every workload has probes, resources and a locked-down security context", async () => {
    for (const file of [undefined, ...examples]) {
      const objects = file ? await render("-f", join(chart, "examples", file)) : defaults;
      for (const workload of [...ofKind(objects, "Deployment"), ...ofKind(objects, "StatefulSet")]) {
        const pod = workload.spec.template.spec;
        const where = `${file ?? "defaults"}: ${workload.kind} ${workload.metadata.name}`;
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
        for (const c of pod.containers) {
          assert.ok(c.readinessProbe && c.livenessProbe, `${where}: readiness and liveness probes`);
          assert.ok(c.resources?.requests?.memory && c.resources?.limits?.memory, `${where}: memory request and limit`);
          assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${where}: no privilege escalation`);
          assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${where}: read-only root filesystem`);
          assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"], `${where}: capabilities dropped`);
        }
      }
    }
  });

  test("every Service has a DestinationRule with outlier detection, ejecting at most half the pods", () => {
    const rules = new Map(ofKind(defaults, "DestinationRule").map((r) => [r.spec.host, r]));
    // A headless Service (NATS's, for its pods' own names) is not a destination calls are balanced over.
    for (const service of ofKind(defaults, "Service").filter((s) => s.spec.clusterIP !== "None")) {
      const rule = rules.get(`${service.metadata.name}.${namespace}.svc.cluster.local`);
      assert.ok(rule, `a DestinationRule for ${service.metadata.name}`);
      assert.ok(rule.spec.trafficPolicy.outlierDetection.maxEjectionPercent <= 50);
      assert.ok(rule.spec.trafficPolicy.connectionPool.tcp.maxConnections > 0);
    }
    for (const rule of rules.values()) {
      if (rule.spec.trafficPolicy.connectionPool.http) assert.ok(rule.spec.trafficPolicy.outlierDetection.consecutiveGatewayErrors > 0);
    }
  });

  test("ports, probes and environment match what the runtime serves and reads", async () => {
    for (const deployment of ofKind(defaults, "Deployment")) {
      const id = component(deployment);
      const container = deployment.spec.template.spec.containers[0];
      const config = named(defaults, "ConfigMap", deployment.metadata.name)!.data as Record<string, string>;
      const ports = Object.fromEntries(container.ports.map((p: Any) => [p.name, String(p.containerPort)]));
      assert.deepEqual(ports, { http: config.HTTP_PORT, grpc: config.GRPC_PORT }, `${id}: container ports are the ones the runtime binds`);
      const service = named(defaults, "Service", deployment.metadata.name)!;
      assert.deepEqual(service.spec.ports.map((p: Any) => [p.name, p.targetPort, p.appProtocol]), [["grpc", "grpc", "grpc"], ["http", "http", "http"]]);

      const read = await variablesRead(id);
      const given = [...Object.keys(config), ...(container.env ?? []).map((e: Any) => e.name as string)];
      const unread = given.filter((name) => !read.has(name));
      assert.deepEqual(unread, [], `${id}: every variable the chart sets is one the service reads`);
      for (const dependency of catalog.find((e) => e.id === id)!.dependsOn) assert.ok(given.includes(addressVariable(dependency)), `${id}: ${addressVariable(dependency)}`);

      // Drain: preStop, then the runtime's delay and timeout, all inside the grace period.
      const pod = deployment.spec.template.spec;
      const drainMs = Number(config.SHUTDOWN_DELAY_MS) + Number(config.SHUTDOWN_TIMEOUT_MS);
      assert.ok(pod.terminationGracePeriodSeconds * 1000 >= container.lifecycle.preStop.sleep.seconds * 1000 + drainMs + 1000, `${id}: grace period covers the drain`);
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) assert.equal(probe.httpGet.port, "http");
    }
  });

  test("one MySQL URL and Secret for every service, each its own database derived from it; with SQLite a file per service on its volume", async () => {
    const databases = (objects: K8sObject[]) => {
      const urls = new Set<string>();
      const secrets = new Set<string>();
      const own: Record<string, string> = {};
      for (const deployment of ofKind(objects, "Deployment")) {
        const id = component(deployment);
        const config = named(objects, "ConfigMap", deployment.metadata.name)!.data as Record<string, string>;
        const password = (deployment.spec.template.spec.containers[0].env ?? []).find((e: Any) => e.name === "DATABASE_PASSWORD");
        if (config.DATABASE_URL) urls.add(config.DATABASE_URL);
        if (password) secrets.add(JSON.stringify(password.valueFrom.secretKeyRef));
        // What the runtime makes of the rendered settings (the password from the Secret).
        const env = readEnv({ ...config, ...(password ? { DATABASE_PASSWORD: "pw" } : {}) });
        const runtime = readRuntimeConfig(env, catalog.find((e) => e.id === id)!, catalog);
        env.done();
        own[id] = runtime.databaseUrl || `sqlite file under ${runtime.dataDir}`;
      }
      return { urls: [...urls], secrets: [...secrets], own };
    };
    const stateful = catalog.filter((e) => e.definition.tables?.length || e.definition.migrations?.length).map((e) => e.id).sort();

    const mysql = databases(defaults);
    assert.deepEqual(mysql.urls, ["mysql://root@mesh-mysql:3306/mesh"], "one URL, naming the release's database");
    assert.deepEqual(mysql.secrets, [JSON.stringify({ name: "mesh-mysql", key: "password" })], "one Secret");
    assert.deepEqual(Object.keys(mysql.own).filter((id) => mysql.own[id] !== "sqlite file under data").sort(), stateful, "the gateway keeps no state");
    for (const id of stateful) assert.equal(mysql.own[id], `mysql://root:pw@mesh-mysql:3306/mesh_${id.replaceAll("-", "_")}`, id);

    const named_ = databases(await render("--set", "database.mysql.database=shop"));
    for (const id of stateful) assert.equal(named_.own[id], `mysql://root:pw@mesh-mysql:3306/shop_${id.replaceAll("-", "_")}`, id);
    const external = databases(await render("-f", join(chart, "examples", "external.yaml")));
    assert.deepEqual(external.urls, ["mysql://flower@mysql.databases.svc.cluster.local:3306/mesh"]);
    assert.deepEqual(external.secrets, [JSON.stringify({ name: "shop-mysql", key: "password" })]);

    // SQLite: no URL; DATA_DIR is the service's own volume, where the runtime keeps /data/<id>.sqlite.
    const sqliteObjects = await render("-f", join(chart, "examples", "flower-only.yaml"));
    const sqlite = databases(sqliteObjects);
    assert.deepEqual([sqlite.urls, sqlite.secrets], [[], []]);
    // flower-only runs flower with payment and notification, and nothing of the other systems.
    const flowerOnly = catalog.filter((e) => ["flower", "payment", "notification"].includes(e.system)).map((e) => e.id).sort();
    assert.deepEqual(stateful.filter((id) => named(sqliteObjects, "Deployment", `mesh-${id}`)), flowerOnly);
    for (const id of flowerOnly) {
      const deployment = named(sqliteObjects, "Deployment", `mesh-${id}`)!;
      assert.equal(named(sqliteObjects, "ConfigMap", `mesh-${id}`)!.data.DATA_DIR, "/data");
      assert.equal(deployment.spec.template.spec.volumes.find((v: Any) => v.name === "data").persistentVolumeClaim.claimName, `mesh-${id}`);
    }
  });

  test("the rendered gateway configuration starts the real runtime, whose probe paths answer", async () => {
    const deployment = named(defaults, "Deployment", "mesh-gateway")!;
    const container = deployment.spec.template.spec.containers[0];
    const env = { ...named(defaults, "ConfigMap", "mesh-gateway")!.data } as Record<string, string>;
    const [http, grpc] = await freePorts(2);
    // Same settings, on free loopback ports of this machine instead of 8080/9090 of a pod.
    Object.assign(env, { HOST: "127.0.0.1", HTTP_PORT: String(http), GRPC_PORT: String(grpc) });
    const running = await startService(definitionOf("gateway"), { catalog, env, write: () => undefined });
    try {
      for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe]) {
        const res = await fetch(`http://127.0.0.1:${running.httpPort}${probe.httpGet.path}`);
        assert.equal(res.status, 200, `${probe.httpGet.path} answers`);
      }
    } finally {
      await running.stop();
    }
  });

  test("a service accepts calls only from its callers; the gateway only from the ingress", async () => {
    const principals = (id: string) => named(defaults, "AuthorizationPolicy", `mesh-${id}`)!.spec.rules[0].from[0].source.principals.sort();
    const sa = (id: string) => `cluster.local/ns/${namespace}/sa/mesh-${id}`;
    assert.deepEqual(principals("payment"), [sa("cleaning-paymethod"), sa("coffee-order"), sa("flower-order"), sa("gateway"), sa("rental-reservation"), sa("resort-reservation")]);
    assert.deepEqual(principals("rental-item"), [sa("gateway"), sa("rental-reservation")]);
    assert.deepEqual(principals("cleaning-reservation"), [sa("cleaning-paymethod"), sa("gateway")]);
    assert.deepEqual(principals("flower-order"), [sa("flower-delivery"), sa("gateway")]);
    assert.deepEqual(principals("coffee-product"), [sa("coffee-order"), sa("gateway")]);
    assert.deepEqual(principals("coffee-stock"), [sa("coffee-product"), sa("gateway")]);
    assert.deepEqual(principals("gateway"), ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]);
    const mtls = named(defaults, "PeerAuthentication", "mesh")!;
    assert.deepEqual([mtls.spec.mtls.mode, mtls.spec.selector], ["STRICT", undefined], "mutual TLS for the whole namespace");
    const scoped = named(await render("--set", "istio.mtlsScope=release"), "PeerAuthentication", "mesh")!;
    assert.deepEqual(scoped.spec.selector.matchLabels, { "app.kubernetes.io/instance": "mesh" });
    // The runtime's client retries idempotent calls itself: the sidecar must not retry again.
    for (const vs of ofKind(defaults, "VirtualService").filter((v) => !v.spec.gateways)) assert.equal(vs.spec.http[0].retries.attempts, 0);
    const ingress = ofKind(defaults, "VirtualService").find((v) => v.spec.gateways)!;
    assert.equal(ingress.spec.http[0].route[0].destination.host, `mesh-gateway.${namespace}.svc.cluster.local`);
  });

  test("a service's own settings restart only that service (its config checksum)", async () => {
    const checksums = (objects: K8sObject[]) =>
      Object.fromEntries(ofKind(objects, "Deployment").map((d) => [component(d), d.spec.template.metadata.annotations["checksum/config"]]));
    const before = checksums(defaults);
    const after = checksums(await render("--set", "services.payment.env.PAYMENT_LATENCY_MS=100"));
    assert.notEqual(after.payment, before.payment);
    assert.deepEqual({ ...after, payment: undefined }, { ...before, payment: undefined });
  });

  test("systems can be turned on one by one, and Istio off", async () => {
    const none = await render(...systems.flatMap((s) => ["--set", `systems.${s.name}.enabled=false`]));
    assert.deepEqual(ofKind(none, "Deployment").map(component), []);
    const coffeeOnly = await render(...systems.filter((s) => s.name !== "coffee").flatMap((s) => ["--set", `systems.${s.name}.enabled=false`]));
    assert.deepEqual(ofKind(coffeeOnly, "Deployment").map(component).sort(), ["coffee-customercenter", "coffee-order", "coffee-product", "coffee-stock", "gateway", "notification", "payment"]);
    const plain = await render("-f", join(chart, "examples", "no-istio.yaml"));
    assert.deepEqual(plain.filter((o) => o.apiVersion.includes("istio.io")), []);
  });

  test("production: two or more replicas, autoscaling and disruption budgets for every service", async () => {
    const objects = await render("-f", join(chart, "examples", "production.yaml"));
    for (const hpa of ofKind(objects, "HorizontalPodAutoscaler")) assert.ok(hpa.spec.minReplicas >= 2);
    assert.equal(ofKind(objects, "HorizontalPodAutoscaler").length, catalog.length);
    assert.equal(ofKind(objects, "PodDisruptionBudget").length, catalog.length);
    assert.ok(ofKind(objects, "Deployment").every((d) => d.spec.replicas === undefined), "the autoscaler owns the replica count");
  });

  test("bad values are refused with the reason", async () => {
    const refused: Array<[string[], RegExp]> = [
      [["--set", "defaults.replicas=two"], /replicas/],
      [["--set", "defaults.replicaCount=2"], /additional properties 'replicaCount' not allowed/],
      [["--set", "istio.outlierDetection.maxEjectionPercent=80"], /maxEjectionPercent/],
      [["--set", "istio.outlierDetection.interval=often"], /interval/],
      [["--set", "database.kind=postgres"], /kind/],
      [["--set", "config.logLevel=loud"], /logLevel/],
      [["--set", "database.kind=sqlite", "--set", "services.payment.replicas=2"], /services.payment: with database.kind sqlite/],
      [["--set", "defaults.podDisruptionBudget.enabled=true"], /would block every node drain/],
      [["--set", "defaults.autoscaling.enabled=true", "--set", "defaults.autoscaling.minReplicas=5", "--set", "defaults.autoscaling.maxReplicas=3"], /minReplicas \(5\) is above maxReplicas \(3\)/],
      [["--set", "nats.enabled=false"], /events.natsUrl is empty and nats.enabled is false/],
      [["--set", "mysql.enabled=false"], /database.mysql.host is empty and mysql.enabled is false/],
      [["--set", "mysql.enabled=false", "--set", "database.mysql.host=db.example"], /give database.mysql.existingSecret/],
      [["--set", "database.mysql.database=shop.v2"], /database/],
    ];
    for (const [args, why] of refused) {
      const out = await helm(["template", "mesh", chart, ...args]);
      assert.notEqual(out.code, 0, `${args.join(" ")} must be refused`);
      assert.match(out.stderr, why, args.join(" "));
    }
    // Whole values files, as an operator writes them.
    const files: Array<[string, RegExp]> = [
      ["istio:\n  enabled: true\n  outlierDetection:\n    consecutive5xxErrors: five\n", /consecutive5xxErrors/],
      ["services:\n  payment:\n    system: payment\n    dependsOn: []\n    replica: 3\n", /additional properties 'replica' not allowed/],
      ["systems:\n  florist:\n    enabled: true\n", /florist/],
      ["defaults:\n  env:\n    log-level: debug\n", /log-level/],
    ];
    for (const [yaml, why] of files) {
      const out = await helm(["template", "mesh", chart, "-f", "-"], { input: yaml });
      assert.notEqual(out.code, 0, `${yaml} must be refused`);
      assert.match(out.stderr, why, yaml);
    }
  });
});
