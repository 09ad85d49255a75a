// The client side of every scenario: connect, check one answer, run the shared loop against
// the server the orchestrator names, print RESULT, close.
import { peerLoop } from "./loop.js";
import { peerEnv, RESULT, type ServerReady } from "./protocol.js";

/** One scenario's way of calling. */
export interface PeerClient<T> {
  call(): Promise<T>;
  check(answer: T): boolean;
  close(): Promise<void> | void;
  /** How it reached the server, when the scenario decides that at run time. */
  note?: string;
}

const numberFrom = (name: string, fallback?: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, not ${JSON.stringify(process.env[name])}`);
  return value;
};

/** Opens the client on the server's READY object, measures, exits the process. */
export async function runPeerClient<T>(open: (server: ServerReady) => Promise<PeerClient<T>>): Promise<never> {
  try {
    const server = JSON.parse(process.env[peerEnv.server] ?? "{}") as ServerReady;
    const client = await open(server);
    const first = await client.call();
    if (!client.check(first)) throw new Error(`unexpected answer ${JSON.stringify(first, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))}`);
    const pids: Record<string, number> = { server: numberFrom(peerEnv.serverPid) };
    if (process.env[peerEnv.natsPid]) pids.nats = numberFrom(peerEnv.natsPid);
    const result = await peerLoop({
      call: () => client.call(), check: (a) => client.check(a), pids,
      concurrency: numberFrom(peerEnv.concurrency, 100),
      warmupSeconds: numberFrom(peerEnv.warmupSeconds, 2),
      seconds: numberFrom(peerEnv.seconds, 10),
    });
    // +1: the first, checking call crossed too.
    process.stdout.write(RESULT + JSON.stringify({ ...result, answered: result.answered + 1, note: client.note }) + "\n");
    await client.close();
    process.exit(0);
  } catch (error) {
    process.stderr.write(`client failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
