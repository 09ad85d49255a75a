// `npm run deadletters [-- --consumer <name>] [--limit <n>]`: prints the dead letters of the
// event namespace (NATS_URL and EVENT_NAMESPACE from the environment) as a table.
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { readEnv } from "../config/env.js";
import { createLogger } from "../log/logger.js";
import { connectNats } from "./connect-nats.js";
import { listDeadLetters, type DeadLetter } from "./dead-letters.js";
import { eventNamespace } from "./subjects.js";

/** Formats dead letters as a fixed-width table for a terminal (exported for its test). */
export function formatDeadLetters(letters: readonly DeadLetter[]): string {
  if (letters.length === 0) return "no dead letters";
  const rows = letters.map((d) => [
    String(d.seq),
    d.deadLetteredAt.toISOString().replace("T", " ").slice(0, 19),
    d.consumer,
    d.subject,
    d.eventId,
    d.correlationId,
    String(d.deliveryCount),
    d.reason.length > 80 ? d.reason.slice(0, 79) + "…" : d.reason,
  ]);
  const head = ["SEQ", "DEAD-LETTERED (UTC)", "CONSUMER", "SUBJECT", "EVENT ID", "CORRELATION ID", "TRIES", "REASON"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { consumer: { type: "string" }, limit: { type: "string", default: "100" } } });
  const env = readEnv();
  const url = env.string("NATS_URL", "nats://127.0.0.1:4222");
  env.done();
  const namespace = eventNamespace();
  const logger = createLogger({ service: "deadletters", level: "warn", write: (l) => process.stderr.write(l + "\n") });
  const nc = await connectNats({ url, name: "deadletters-cli", logger });
  try {
    const letters = await listDeadLetters({ nc, namespace, consumer: values.consumer, limit: Number(values.limit) || 100 });
    process.stdout.write(formatDeadLetters(letters) + "\n");
  } finally {
    await nc.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
