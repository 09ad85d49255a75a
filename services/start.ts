// `npm start`: every service of the catalog (or of the systems named as arguments) as its own
// process, NATS with JetStream found or started, one combined log; a service that crashes is
// restarted with backoff; commands typed here stop and start one on purpose; Ctrl-C stops everything.
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createLauncher, ensureNats } from "../mesh/launcher/index.js";
import { catalog, systems as known } from "./catalog.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const natsUrl = process.env.NATS_URL || "nats://127.0.0.1:4222";
const dataDir = process.env.DATA_DIR || "data";
const systems = process.argv.slice(2);
// payment, notification and the gateway serve every system, so they always run.
const shared = (system: string) => !known.some((s) => s.name === system);
const chosen = catalog.filter((e) => systems.length === 0 || shared(e.system) || systems.includes(e.system));
const say = (msg: string) => process.stdout.write(`launcher: ${msg}\n`);

if (systems.some((s) => !known.some((k) => k.name === s))) {
  say(`unknown system in ${systems.join(" ")}; known: ${known.map((k) => k.name).join(", ")}`);
  process.exit(2);
}

let nats;
try {
  nats = await ensureNats(natsUrl, dataDir, say);
} catch (error) {
  say(String((error as Error).message));
  process.exit(1);
}

const launcher = createLauncher({ catalog, root, entry: "services/run.ts", env: { NATS_URL: natsUrl, DATA_DIR: dataDir }, colour: process.stdout.isTTY });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  say("stopping every service...");
  await launcher.stopAll();
  nats?.kill("SIGTERM");
  say("stopped");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

for (const e of chosen) await launcher.start(e.id);
try {
  await Promise.all(chosen.map((e) => launcher.waitReady(e.id)));
} catch (error) {
  say(`${(error as Error).message}; stopping`);
  await stop();
}

const rows = chosen.map((e) => `  ${e.id.padEnd(16)} gRPC 127.0.0.1:${e.grpcPort}   HTTP http://127.0.0.1:${e.httpPort}  (REST, Connect, gRPC-Web, /readyz, /metrics)`);
const gateway = chosen.find((e) => e.id === "gateway");
const tryIt = gateway && chosen.some((e) => e.id === "flower-order") ? `
  try, through the gateway:
    curl -s -H 'content-type: application/json' -d '{"flowerId":"1","qty":2,"address":"Seoul","phoneNumber":"010-1234-5678"}' \\
      http://127.0.0.1:${gateway.httpPort}/flower/orders
    curl -s 'http://127.0.0.1:${gateway.httpPort}/flower/orderHistories?phoneNumber=010-1234-5678'
    OpenAPI: http://127.0.0.1:${gateway.httpPort}/openapi.json` : "";
// Fault isolation on purpose, typed into this terminal (read only when it is one: `npm start < /dev/null &` in the
// background). A service stopped here, or by SIGTERM from elsewhere (pkill), stays down; a crash is restarted.
const commands = "stop <service>, start <service>, kill <service> (a crash: restarted with backoff), status";
async function command(line: string): Promise<void> {
  const [verb, id] = line.trim().split(/\s+/);
  if (!verb) return;
  if (verb === "status") {
    say(`status:\n  ${chosen.map((e) => `${e.id.padEnd(16)} ${launcher.stateOf(e.id)}${launcher.pidOf(e.id) ? ` (pid ${launcher.pidOf(e.id)})` : ""}`).join("\n  ")}`);
    return;
  }
  if (!["stop", "start", "kill"].includes(verb) || !chosen.some((e) => e.id === id)) {
    say(`commands: ${commands}; services: ${chosen.map((e) => e.id).join(", ")}`);
    return;
  }
  if (verb === "stop") {
    say(`stopping ${id} on purpose: it stays down until "start ${id}"`);
    await launcher.stop(id);
  } else if (verb === "kill") {
    const pid = launcher.pidOf(id);
    if (pid) process.kill(pid, "SIGKILL");
    else say(`${id} is not running`);
  } else {
    await launcher.start(id);
    await launcher.waitReady(id).then(() => say(`${id} ready`), (error) => say((error as Error).message));
  }
}
if (process.stdin.isTTY) createInterface({ input: process.stdin }).on("line", (line) => void command(line).catch((error) => say(String(error))));

say(`ready:\n${rows.join("\n")}${tryIt}
  A service that crashes is restarted with backoff. Type a command here: ${commands}.
  Ctrl-C stops everything.`);
