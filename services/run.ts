// One entry point for every service (the container image's and `npm start -- --processes`'s):
// `node dist/services/run.js <service id>`, or `tsx services/run.ts <service id>` from the source tree.
// It loads only what that service needs (services/catalog-for.ts), not every system's code.
// Not through the launcher's index: that would load `npm start`'s process launcher (child_process,
// readline) into every service.
import { runService } from "../mesh/launcher/run-service.js";
import { catalogFor } from "./catalog-for.js";

const id = process.argv[2] ?? "";
await runService(id, await catalogFor(id));
