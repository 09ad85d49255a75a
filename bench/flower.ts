// `npm run bench [-- --seconds N] [--clients N] [--quick]`: the flower system's figures.
//
// Runs bench/run.ts as a child process and relays Ctrl-C to it. The reason: tsx's CLI gives a
// script 60 ms to acknowledge a signal and SIGKILLs it otherwise; a process busy driving load
// can miss that, and would die without stopping the services it started. This process stays
// idle, so it always answers in time, and the child gets to clean up.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const child = spawn(process.execPath, ["--import", "tsx", "bench/run.ts", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.once("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
