// Peer processes for bench/sync-call.ts: each script runs as its own node process (with tsx,
// as bench/stack.ts starts its servers), its protocol lines (protocol.ts) are awaited by
// prefix, anything else it prints is passed on tagged, and it is stopped by its own pid.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { pidListeningOn } from "../procs.js";
import { parseLine, peerNatsUrl } from "./protocol.js";

export interface PeerProcess {
  pid: number;
  /** The JSON of the first line starting with `prefix`; rejects if the process exits first or after `timeoutMs`. */
  waitFor<T>(prefix: string, timeoutMs: number): Promise<T>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it exited. */
  stop(): Promise<void>;
  exited: Promise<string>;
}

// Every peer still running, so that an interrupted bench stops them too.
const live = new Set<ChildProcess>();

export function startPeer(root: string, script: string, env: Record<string, string>, tag: string, say: (line: string) => void): PeerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  const lines: string[] = [];
  const stderrTail: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (/^(READY|SERVED|RESULT) /.test(line)) lines.push(line);
    else say(`  [${tag}] ${line}`);
    for (const wake of waiters) wake();
  });
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    say(`  [${tag} stderr] ${line}`);
  });
  const exited = new Promise<string>((resolve) => child.once("exit", (code, signal) => {
    live.delete(child);
    resolve(signal ? `signal ${signal}` : `code ${code}`);
  }));
  let gone: string | undefined;
  void exited.then((how) => {
    gone = how;
    for (const wake of waiters) wake();
  });

  return {
    pid: child.pid!,
    exited,
    waitFor<T>(prefix: string, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => finish(() => reject(new Error(`${tag}: no ${prefix.trim()} line in ${timeoutMs / 1000} s`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(look);
          settle();
        };
        const look = () => {
          for (const line of lines) {
            const value = parseLine<T>(line, prefix);
            if (value !== undefined) return finish(() => resolve(value));
          }
          if (gone) finish(() => reject(new Error(`${tag} exited (${gone}) before its ${prefix.trim()} line${stderrTail.length ? `: ${stderrTail.slice(-3).join(" | ")}` : ""}`)));
        };
        waiters.add(look);
        look();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const done = await Promise.race([exited, sleep(5000).then(() => undefined)]);
      if (done === undefined) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** Stops every peer still running (Ctrl-C). */
export async function stopAllPeers(): Promise<void> {
  await Promise.all([...live].map((child) => new Promise((resolve) => {
    child.once("exit", resolve);
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  })));
}

/** The pid of the nats-server Moleculer's transporter reaches (the one listening on its port; there may be others), or undefined. */
export async function findNatsServerPid(): Promise<number | undefined> {
  return pidListeningOn(Number(new URL(peerNatsUrl).port || 4222));
}
