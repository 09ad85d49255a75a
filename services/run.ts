// One entry point for every service (the container image's): `node dist/services/run.js <service id>`,
// or `tsx services/run.ts <service id>` from the source tree. Imports the catalog entry's main module.
import { catalog } from "./catalog.js";

const id = process.argv[2];
const entry = catalog.find((e) => e.id === id);
if (!entry) {
  console.error(`${id ? `unknown service "${id}"` : "no service given"}; usage: run <service id>, one of: ${catalog.map((e) => e.id).join(", ")}`);
  process.exit(2);
}
// The catalog names the source (services/x/main.ts, from the repository root); compiled, it is the
// .js file at the same place under dist/, and tsx maps .js back to .ts, so .js works in both.
await import(new URL(`../${entry.main.replace(/\.ts$/, ".js")}`, import.meta.url).href);
