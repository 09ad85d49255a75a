// Waits until the stack has nothing left to do from one phase before the next is measured (and
// before a phase's own figures are read): every durable consumer of the bench's namespace has
// caught up. The sagas a phase follows can be final while other consumers (notification, say) are
// still working through its backlog; without this, that work lands in the next phase's figures.
import { connect, type JetStreamManager } from "nats";
import { namespaceStreams } from "../mesh/testing/test-namespace.js";

/** Where each consumer of the namespace stands: left to deliver, delivered and not acknowledged yet, deliveries so far. */
export async function consumerProgress(jsm: JetStreamManager, namespace: string): Promise<Map<string, { pending: number; unacked: number; delivered: number }>> {
  const out = new Map<string, { pending: number; unacked: number; delivered: number }>();
  for await (const stream of namespaceStreams(jsm, namespace)) {
    for await (const c of jsm.consumers.list(stream.config.name)) {
      out.set(`${stream.config.name}/${c.name}`, { pending: c.num_pending, unacked: c.num_ack_pending, delivered: c.delivered.consumer_seq });
    }
  }
  return out;
}

/**
 * Resolves once, twice in a row `intervalMs` apart, no consumer of `namespace` has anything left
 * to deliver and none delivered or acknowledged anything since the last look. A delivery waiting
 * out a retry delay (RetryLater, a nak with a delay) stays unacknowledged but costs nothing
 * meanwhile, so it does not hold this up. Gives up after `timeoutMs` and says who was still busy.
 */
export async function waitUntilSettled(options: {
  natsUrl: string; namespace: string; timeoutMs?: number; intervalMs?: number; say?: (line: string) => void;
}): Promise<{ waitedMs: number; settled: boolean }> {
  const { timeoutMs = 120_000, intervalMs = 500 } = options;
  const nc = await connect({ servers: options.natsUrl });
  const t0 = performance.now();
  try {
    const jsm = await nc.jetstreamManager();
    let last = await consumerProgress(jsm, options.namespace);
    let quietRounds = 0;
    let busy: string[] = [];
    while (performance.now() - t0 < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      const now = await consumerProgress(jsm, options.namespace);
      busy = [...now].filter(([name, p]) => {
        const was = last.get(name);
        return p.pending > 0 || !was || was.delivered !== p.delivered || was.unacked !== p.unacked;
      }).map(([name, p]) => `${name} (${p.pending} pending, ${p.unacked} unacknowledged)`);
      last = now;
      quietRounds = busy.length === 0 ? quietRounds + 1 : 0;
      if (quietRounds >= 2) return { waitedMs: performance.now() - t0, settled: true };
    }
    options.say?.(`  consumers still busy after ${Math.round(timeoutMs / 1000)} s: ${busy.join(", ")}`);
    return { waitedMs: performance.now() - t0, settled: false };
  } finally {
    await nc.close();
  }
}
