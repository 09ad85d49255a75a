// The chart's own workloads on podman: `helm template` with the local images (Istio off), played
// with `podman kube play` on a network of its own. What podman 4 cannot express is bridged here,
// never by changing what the chart renders for a cluster:
// - Services: each pod gets a fixed address, and every pod's /etc/hosts names each Service after
//   the address of the pod its selector matches (hostAliases), as cluster DNS would.
// - StatefulSets (NATS, MySQL): played as Deployments of one pod, their volumeClaimTemplates as
//   PersistentVolumeClaims (podman volumes).
// - Secrets: podman secrets (which secretKeyRef reads), created from the rendered ones.
// - fsGroup: every volume (claims and emptyDirs) is made beforehand and given to the pod's group,
//   as the kubelet would.
// - Ports: podman 4 publishes declared containerPorts on the host; the pods' own addresses serve.
// - Probes and preStop hooks: podman would run httpGet probes with curl, which the images rightly
//   lack; the test polls the chart's own probe paths instead, and stops with the grace period.
//
// As a script: `npx tsx scripts/container/play.ts up|down [release]`.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { helm } from "../helm.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
/** The OCI runtime podman uses here (the wrapper that drops rlimits a sandbox forbids). */
export const podmanRuntime = process.env.PODMAN_RUNTIME ?? join(root, "scripts/container/runc");
export const podman = (args: string[], options: { timeoutMs?: number } = {}) =>
  run("podman", ["--runtime", podmanRuntime, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 300_000 });

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

export interface PlayOptions {
  release: string;
  /** The chart: its folder (default helm/) or a package made by `npm run release`. */
  chart?: string;
  /** Image of the services (built from the Dockerfile). */
  image: { repository: string; tag: string };
  /** Extra `--set` values (key=value). */
  set?: string[];
  /** The podman network and its /24 (10.89.<n>.0/24). */
  network?: string;
  subnet?: number;
}

/** A played release: its objects as the chart rendered them, and where each pod is. */
export interface Played {
  release: string;
  network: string;
  rendered: Obj[];
  /** Deployment (or StatefulSet) name → its pod's address. */
  addresses: Map<string, string>;
  /** Deployment (or StatefulSet) name → the podman container of its first container. */
  containers: Map<string, string>;
  file: string;
  volumes: string[];
  secrets: string[];
}

const workloads = (objects: Obj[]) => objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Renders the chart with the local images, Istio off. */
export async function render(options: PlayOptions): Promise<Obj[]> {
  const sets = [
    "istio.enabled=false",
    `image.repository=${options.image.repository}`, `image.tag=${options.image.tag}`,
    "nats.image.repository=localhost/mesh-nats", "nats.image.tag=2.10",
    "mysql.image.repository=localhost/mesh-mariadb", "mysql.image.tag=bookworm",
    ...(options.set ?? []),
  ];
  const result = await helm(["template", options.release, options.chart ?? join(root, "helm"), ...sets.flatMap((s) => ["--set", s])]);
  if (result.code !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout).map((d) => d.toJSON() as Obj).filter(Boolean);
}

/** Plays the rendered release on podman; resolves once every pod runs (not yet ready). */
export async function play(options: PlayOptions): Promise<Played> {
  const rendered = await render(options);
  const network = options.network ?? `mesh-${options.release}`;
  const subnet = options.subnet ?? 77;
  await podman(["network", "create", "--subnet", `10.89.${subnet}.0/24`, network]).catch((e) => {
    if (!/already exists/.test(String(e.stderr))) throw e;
  });

  const pods = workloads(rendered);
  const addresses = new Map(pods.map((w, i) => [w.metadata.name, `10.89.${subnet}.${10 + i}`]));
  // Every Service name → the address of the pod it selects.
  const hostAliases = rendered.filter((o) => o.kind === "Service" && o.spec.selector).flatMap((svc) => {
    const target = pods.find((w) => matches(svc.spec.selector, w.spec.template.metadata.labels));
    return target ? [{ ip: addresses.get(target.metadata.name)!, hostnames: [svc.metadata.name] }] : [];
  });

  const secrets: string[] = [];
  for (const secret of rendered.filter((o) => o.kind === "Secret")) {
    const data: Record<string, string> = { ...secret.data };
    for (const [k, v] of Object.entries<string>(secret.stringData ?? {})) data[k] = Buffer.from(v).toString("base64");
    const file = join(await mkdtemp(join(tmpdir(), "mesh-secret-")), "data.json");
    await writeFile(file, JSON.stringify(data), { mode: 0o600 });
    await podman(["secret", "rm", secret.metadata.name]).catch(() => {});
    await podman(["secret", "create", secret.metadata.name, file]);
    secrets.push(secret.metadata.name);
  }

  const volumes: string[] = [];
  const own = async (name: string, uid: number, gid: number) => {
    await podman(["volume", "rm", "-f", name]).catch(() => {});
    await podman(["volume", "create", name]);
    const { stdout } = await podman(["volume", "inspect", name, "--format", "{{.Mountpoint}}"]);
    await run("chown", [`${uid}:${gid}`, stdout.trim()]);
    await run("chmod", ["2775", stdout.trim()]);
    volumes.push(name);
  };

  const played: Obj[] = rendered.filter((o) => o.kind === "ConfigMap");
  for (const w of pods) {
    const pod = structuredClone(w.spec.template.spec);
    const security = pod.securityContext ?? {};
    const [uid, gid] = [security.runAsUser ?? 0, security.fsGroup ?? security.runAsGroup ?? 0];
    pod.hostAliases = hostAliases;
    for (const c of pod.containers) {
      // podman 4 would publish every containerPort on the host (the pods have addresses of their own).
      delete c.ports;
      delete c.startupProbe;
      delete c.readinessProbe;
      delete c.livenessProbe;
      delete c.lifecycle;
    }
    // Claims of a StatefulSet's pod 0, and emptyDirs, as volumes given to the pod's group.
    const claims = (w.spec.volumeClaimTemplates ?? []).map((t: Obj) => ({ name: t.metadata.name, claim: `${t.metadata.name}-${w.metadata.name}-0` }));
    pod.volumes = [...(pod.volumes ?? []), ...claims.map((c: { name: string; claim: string }) => ({ name: c.name, persistentVolumeClaim: { claimName: c.claim } }))];
    for (const v of pod.volumes) {
      if (v.emptyDir) {
        const claim = `${w.metadata.name}-${v.name}`;
        delete v.emptyDir;
        v.persistentVolumeClaim = { claimName: claim };
      }
      if (v.persistentVolumeClaim) await own(v.persistentVolumeClaim.claimName, uid, gid);
    }
    played.push({
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: { name: w.metadata.name, labels: w.metadata.labels },
      spec: { replicas: 1, selector: w.spec.selector, template: { metadata: w.spec.template.metadata, spec: pod } },
    });
  }

  const dir = await mkdtemp(join(tmpdir(), `mesh-play-${options.release}-`));
  const file = join(dir, "play.yaml");
  await writeFile(file, played.map((o) => stringify(o)).join("---\n"));
  const ips = pods.flatMap((w) => ["--ip", addresses.get(w.metadata.name)!]);
  await podman(["kube", "play", "--network", network, ...ips, file], { timeoutMs: 600_000 });
  const containers = new Map(pods.map((w) => [w.metadata.name, `${w.metadata.name}-pod-0-${w.spec.template.spec.containers[0].name}`]));
  return { release: options.release, network, rendered, addresses, containers, file, volumes, secrets };
}

/** Removes the pods, volumes, secrets and network of a played release. */
export async function down(played: Pick<Played, "release" | "file" | "network" | "volumes" | "secrets">): Promise<void> {
  await podman(["kube", "down", played.file]).catch(() => {});
  // The claims and emptyDirs made for it, and the volumes podman made for its ConfigMap mounts.
  const { stdout } = await podman(["volume", "ls", "--format", "{{.Name}}"]).catch(() => ({ stdout: "" }));
  const made = stdout.split("\n").filter((v) => v.startsWith(`${played.release}-`));
  for (const v of new Set([...played.volumes, ...made])) await podman(["volume", "rm", "-f", v]).catch(() => {});
  for (const s of played.secrets) await podman(["secret", "rm", s]).catch(() => {});
  await podman(["network", "rm", "-f", played.network]).catch(() => {});
}

/** The chart's readiness probe of a workload's first container: its path and port number. */
export function readinessOf(workload: Obj): { path: string; port: number } | { exec: string[] } | undefined {
  const c = workload.spec.template.spec.containers[0];
  const probe = c.readinessProbe;
  if (!probe) return undefined;
  if (probe.exec) return { exec: probe.exec.command };
  const port = typeof probe.httpGet.port === "number" ? probe.httpGet.port : c.ports.find((p: { name: string }) => p.name === probe.httpGet.port).containerPort;
  return { path: probe.httpGet.path, port };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command = "up", release = "local"] = process.argv.slice(2);
  const options: PlayOptions = { release, image: { repository: "localhost/flower-mesh", tag: process.env.IMAGE_TAG ?? "0.2.0" } };
  if (command === "up") {
    const p = await play(options);
    console.log(`played ${p.release} on ${p.network}; the gateway: http://${p.addresses.get(`${release}-gateway`)}:8080`);
    console.log(`remove it with: npx tsx scripts/container/play.ts down ${release}`);
  } else {
    const rendered = await render(options).catch(() => []);
    const names = workloads(rendered).map((w) => w.metadata.name);
    await podman(["pod", "rm", "-f", ...names.map((n) => `${n}-pod-0`)]).catch(() => {});
    const { stdout } = await podman(["volume", "ls", "--format", "{{.Name}}"]);
    await down({ release, file: "/dev/null", network: `mesh-${release}`, volumes: stdout.split("\n").filter((v) => names.some((n) => v.endsWith(`${n}-0`))), secrets: rendered.filter((o) => o.kind === "Secret").map((o) => o.metadata.name) });
    console.log(`removed ${release}`);
  }
}
