// One entry point for every service (the container image's and npm start's): `node dist/services/run.js <service id>`,
// or `tsx services/run.ts <service id>` from the source tree.
import { runService } from "../mesh/launcher/index.js";
import { catalog } from "./catalog.js";

await runService(process.argv[2] ?? "", catalog);
