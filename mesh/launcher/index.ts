// The runtime's API for the entry points: `npm start` (services/start.ts) and the image's `run <id>` (services/run.ts).

export { createLauncher } from "./launcher.js";
export type { Launcher, LauncherOptions, ServiceState, StartOptions } from "./launcher.js";
export type { RestartPolicy } from "./restart-policy.js";
export { createHost } from "./host.js";
export type { Host, HostOptions, HostedState } from "./host.js";
export { startMesh } from "./start-mesh.js";
export type { StartMeshOptions } from "./start-mesh.js";
export { ensureNats } from "./ensure-nats.js";
export { runService } from "./run-service.js";
