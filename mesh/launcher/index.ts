// The runtime's API for the entry points: `npm start` (services/start.ts) and the image's `run <id>` (services/run.ts).

export { createLauncher } from "./launcher.js";
export type { Launcher, LauncherOptions, ServiceState, StartOptions } from "./launcher.js";
export type { RestartPolicy } from "./restart-policy.js";
export { ensureNats } from "./ensure-nats.js";
export { runService } from "../service/run-service.js";
