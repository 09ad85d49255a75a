import { createLogger, type Logger } from "../log/logger.js";

/** A logger whose lines are kept, parsed, for assertions; TEST_LOG=1 prints them too, to debug a test. */
export function captureLogs(service = "test"): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const echo = process.env.TEST_LOG === "1";
  const write = (line: string) => {
    lines.push(JSON.parse(line));
    if (echo) process.stderr.write(line + "\n");
  };
  return { lines, logger: createLogger({ service, level: "debug", write }) };
}
