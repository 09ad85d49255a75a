// The systems whose saga npm run bench measures after flower's: one line each.
import { coffeeBench } from "./coffee.js";
import { cleaningBench } from "./cleaning.js";
import { rentalBench } from "./rental.js";
import { resortBench } from "./resort.js";
import type { SystemBench } from "./system-bench.js";

export const systemBenches: SystemBench[] = [resortBench, coffeeBench, rentalBench, cleaningBench];
