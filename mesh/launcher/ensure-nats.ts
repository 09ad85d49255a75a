import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { existsSync } from "node:fs";

/** True when something accepts TCP connections at the NATS URL's host and port. */
export function natsAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port: Number(u.port || 4222), timeout: timeoutMs });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

const onPath = (binary: string) =>
  (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, binary)).find((p) => existsSync(p));

/**
 * Makes sure a NATS server with JetStream answers at `url`: uses the one there, or starts
 * `nats-server -js` when the binary is on PATH, or explains what to install.
 */
export async function ensureNats(url: string, dataDir: string, log: (msg: string) => void): Promise<ChildProcess | undefined> {
  if (await natsAnswers(url)) return undefined;
  const u = new URL(url);
  const binary = onPath("nats-server");
  if (!binary || !["127.0.0.1", "localhost"].includes(u.hostname)) {
    throw new Error(
      `nothing answers at NATS_URL=${url}. Start NATS with JetStream there (e.g. "nats-server -js"), ` +
      `or install nats-server (Debian: apt-get install nats-server; or a release from nats.io) so that npm start can run it.`,
    );
  }
  const store = join(dataDir, "nats");
  mkdirSync(store, { recursive: true });
  log(`starting ${binary} -js on ${u.hostname}:${u.port || 4222} (store ${store})`);
  return startNatsServer(binary, url, store);
}

/** Starts `binary` with JetStream at `url` (a local host and port), its store in `store`; resolves once it answers. */
export async function startNatsServer(binary: string, url: string, store: string): Promise<ChildProcess> {
  const u = new URL(url);
  const child = spawn(binary, ["-js", "-a", u.hostname, "-p", String(u.port || 4222), "-sd", store], { stdio: "ignore" });
  for (let i = 0; i < 50 && child.exitCode === null; i++) {
    if (await natsAnswers(url)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`${binary} did not start at ${url}`);
}
