// The systems whose saga npm run bench measures after flower's: one line each.
import { cleaningBench } from "./cleaning.js";
import type { SystemBench } from "./system-bench.js";

export const systemBenches: SystemBench[] = [cleaningBench];
