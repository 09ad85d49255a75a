import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";
import type { Readiness } from "./readiness.js";

/** What the health service answers for: the process's readiness and the names of the services it serves. */
export interface HealthOptions {
  readiness: Readiness;
  /** Fully-qualified names of the served services ("flower.v1.StoreService"); "" is always known. */
  services: string[];
}

/**
 * grpc.health.v1.Health driven by readiness, so that gRPC probes, Istio and /readyz agree:
 * SERVING only while ready, NOT_SERVING before and from the moment shutdown starts.
 */
export function createHealth({ readiness, services }: HealthOptions): ServiceImpl<typeof Health> {
  const known = new Set(["", ...services]);
  const status = () => (readiness.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);

  return {
    check({ service }) {
      if (!known.has(service)) throw new ConnectError(`unknown service "${service}"`, Code.NotFound);
      return { status: status() };
    },
    list() {
      const statuses: Record<string, { status: ServingStatus }> = {};
      for (const name of known) statuses[name] = { status: status() };
      return { statuses };
    },
    async *watch({ service }, ctx) {
      if (!known.has(service)) {
        // The spec keeps the stream open for a service that may appear; ours never will, so wait for the caller to leave.
        yield { status: ServingStatus.SERVICE_UNKNOWN };
        await untilAborted(ctx.signal);
        return;
      }
      const wakeUp = createWakeUp();
      const stopListening = readiness.onChange(wakeUp.wake);
      ctx.signal.addEventListener("abort", wakeUp.wake);
      try {
        let last: ServingStatus | undefined;
        while (!ctx.signal.aborted) {
          const now = status();
          if (now !== last) {
            last = now;
            yield { status: now };
            continue; // look again: it may have changed while the caller read
          }
          // Once NOT_SERVING for shutdown has gone out, end the stream so it does not hold the server open.
          if (readiness.shuttingDown()) return;
          await wakeUp.next();
        }
      } finally {
        stopListening();
        ctx.signal.removeEventListener("abort", wakeUp.wake);
      }
    },
  };
}

// A wake-up call that is not lost when it rings while nobody is waiting.
function createWakeUp() {
  let pending = false;
  let resolve: (() => void) | undefined;
  return {
    wake() {
      pending = true;
      resolve?.();
    },
    next() {
      return new Promise<void>((r) => {
        if (pending) r();
        else resolve = r;
      }).finally(() => {
        pending = false;
        resolve = undefined;
      });
    },
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
