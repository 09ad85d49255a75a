// Loaded into each service by `npm run bench -- --profile` (NODE_OPTIONS=--import): SIGUSR2 starts
// V8's sampling profiler, the next SIGUSR2 stops it and writes <PROFILE_DIR>/<service>.cpuprofile,
// so that exactly one phase of the bench is profiled.
import { Session } from "node:inspector";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.PROFILE_DIR;
const service = process.argv[process.argv.length - 1];
if (dir) {
  const session = new Session();
  session.connect();
  let profiling = false;
  session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 500 }));
  process.on("SIGUSR2", () => {
    if (!profiling) {
      profiling = true;
      session.post("Profiler.start");
      return;
    }
    profiling = false;
    session.post("Profiler.stop", (error, result) => {
      if (error) return;
      // Written whole, then renamed: the bench reads a profile as soon as its name appears.
      const file = join(dir, `${service}.cpuprofile`);
      writeFileSync(`${file}.part`, JSON.stringify(result.profile));
      renameSync(`${file}.part`, file);
    });
  });
}
