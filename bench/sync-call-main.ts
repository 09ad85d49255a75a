// `npm run bench:sync [-- --seconds N] [--runs N] [--warmup N] [--only mesh,moleculerMatched]`: the synchronous-call figures
// of the mesh against its peers, printed as a console table and as markdown.
import { parseArgs } from "node:util";
import { measureSyncCall, scenarioKeys, stopSyncCall, type ScenarioKey } from "./sync-call.js";
import { syncCallConsole, syncCallMarkdown } from "./sync-call-report.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, runs: { type: "string", default: "1" }, warmup: { type: "string", default: "2" }, only: { type: "string", default: scenarioKeys.join(",") } },
});
const whole = (name: string, text: string, min: number) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number of at least ${min}, not ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return n;
};
const only = values.only.split(",").map((k) => k.trim()).filter(Boolean);
const unknown = only.filter((k) => !(scenarioKeys as readonly string[]).includes(k));
if (unknown.length > 0 || only.length === 0) {
  process.stderr.write(`--only takes scenarios among ${scenarioKeys.join(", ")}, not ${JSON.stringify(values.only)}\n`);
  process.exit(2);
}
const say = (line: string) => process.stdout.write(line + "\n");

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    say(`\n${signal}: stopping the scenario processes...`);
    stopSyncCall().finally(() => process.exit(130));
  });
}

const figures = await measureSyncCall({
  seconds: whole("seconds", values.seconds, 1),
  runs: whole("runs", values.runs, 1),
  warmupSeconds: whole("warmup", values.warmup, 0),
  only: only as ScenarioKey[],
  say,
});
say("\n" + syncCallConsole(figures) + "\n\n" + syncCallMarkdown(figures));
process.exit(0);
