// The server side of every scenario: say READY with the ports, and at SIGTERM say how many
// calls were served (proof that the client's calls crossed to this process), then stop.
import { READY, SERVED, type ServerReady } from "./protocol.js";

/** Counts calls answered; servers bump it in their handler. */
export const served = { count: 0 };

export function announce(ready: ServerReady, stop: () => Promise<void>): void {
  process.stdout.write(READY + JSON.stringify(ready) + "\n");
  process.once("SIGTERM", () => {
    process.stdout.write(SERVED + JSON.stringify({ served: served.count }) + "\n");
    stop().then(() => process.exit(0), (error: unknown) => {
      process.stderr.write(`stop failed: ${String(error)}\n`);
      process.exit(1);
    });
  });
}
