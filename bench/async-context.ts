// `npm run bench:context`: what Node charges every promise for async context, by how many
// AsyncLocalStorage instances are enabled, against the runtime's slots (mesh/context/async-scope.ts:
// one storage whatever the number of slots). A process that hosts many services (`npm start`)
// has a call-context slot and one per SQLite database; with a storage each it had as many storages.
import { AsyncLocalStorage } from "node:async_hooks";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { asyncSlot } from "../mesh/context/async-scope.js";

const PROMISES = 400_000;
const ROUNDS = 5;

// A chain of awaits, as a handler's: each await makes a promise that copies the context.
async function work(): Promise<void> {
  for (let i = 0; i < PROMISES; i++) await Promise.resolve(i);
}

// Runs `work` inside `enter`, which opens the context the way the runtime does (nested runs).
async function nsPerPromise(enter: (fn: () => Promise<void>) => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    await enter(work);
    times.push(Number(process.hrtime.bigint() - start) / PROMISES);
  }
  return times.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

const nested = (runs: Array<(fn: () => Promise<void>) => Promise<void>>) => (fn: () => Promise<void>) =>
  runs.reduceRight<() => Promise<void>>((inner, run) => () => run(inner), fn)();

// Each row in a process of its own: a storage once run stays enabled for the rest of the process.
const [mode, countText] = process.argv.slice(2);
if (mode) {
  const count = Number(countText);
  const holders = Array.from({ length: count }, () => (mode === "slots" ? asyncSlot<object>() : new AsyncLocalStorage<object>()));
  process.stdout.write(String(await nsPerPromise(nested(holders.map((h) => (fn) => h.run({}, fn))))));
} else {
  const measure = (m: string, count: number) => Number(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), m, String(count)], { encoding: "utf8" }));
  const rows: Array<[string, number]> = [["no async context", measure("storages", 0)]];
  for (const count of [1, 2, 5, 20]) {
    rows.push([`${count} AsyncLocalStorage`, measure("storages", count)]);
    rows.push([`${count} slot${count > 1 ? "s" : ""} (one storage)`, measure("slots", count)]);
  }
  const none = rows[0]![1];
  process.stdout.write(`async context per promise, Node ${process.version} (median of ${ROUNDS} rounds of ${PROMISES.toLocaleString("en")} awaits):\n`);
  for (const [label, ns] of rows) process.stdout.write(`  ${label.padEnd(28)} ${ns.toFixed(0).padStart(5)} ns   ${(ns / none).toFixed(2)}× none\n`);
}
