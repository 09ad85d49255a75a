import { currentContext } from "../context/call-context.js";
import { errorFields } from "./error-fields.js";
import { createRepeatFilter, type Schedule } from "./repeat-filter.js";

export type LogLevel = "debug" | "info" | "warn" | "error";
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured JSON logging; every line carries the service and the current call context. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
  /** Whether lines of `level` are written (to skip work for lines nobody reads). */
  enabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Where lines go; one JSON object per line on stdout by default. */
  write?: (line: string) => void;
  /**
   * Identical lines (level, message and every field but the time, the call's ids among them)
   * within this many ms are written once, then once more with `repeated: N`; debug lines never.
   * 0 turns it off.
   */
  repeatWindowMs?: number;
  /** The repeat windows' timer (tests). */
  schedule?: Schedule;
}

/** How long identical lines are collapsed by default. */
export const defaultRepeatWindowMs = 10_000;


/** Creates a JSON-lines logger for one service. */
export function createLogger(options: LoggerOptions): Logger {
  const min = rank[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const windowMs = options.repeatWindowMs ?? defaultRepeatWindowMs;
  const repeats = createRepeatFilter(windowMs, options.schedule);
  const make = (bound: Record<string, unknown>): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (rank[level] < min) return;
      const ctx = currentContext();
      const line: Record<string, unknown> = { time: new Date().toISOString(), level, service: options.service, msg };
      if (ctx) {
        line.correlationId = ctx.correlationId;
        if (ctx.businessKey && ctx.businessKey !== ctx.correlationId) line.businessKey = ctx.businessKey;
        if (ctx.causationId) line.causationId = ctx.causationId;
        line.traceId = ctx.trace.traceId;
        line.spanId = ctx.trace.spanId;
      }
      Object.assign(line, bound, fields && serializeErrors(fields));
      if (level === "debug") return write(JSON.stringify(line));
      // Lines of different calls differ by their ids: each stays findable by its correlation id.
      const kind = JSON.stringify({ ...line, time: undefined });
      const summarize = (repeated: number) => write(JSON.stringify({ ...line, time: new Date().toISOString(), repeated, withinMs: windowMs }));
      if (repeats.admit(kind, summarize)) write(JSON.stringify(line));
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      child: (fields) => make({ ...bound, ...fields }),
      enabled: (level) => rank[level] >= min,
    };
  };
  return make({});
}

// Error objects stringify to {}; keep what a reader needs, and no value a database error quotes.
function serializeErrors(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? errorFields(v) : v;
  return out;
}
