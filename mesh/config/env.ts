/** A bad or missing configuration value; the message names every variable at fault. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Why a service could not start, for its log: a configuration problem as its list, anything else with its stack. */
export function startFailure(error: unknown): string {
  return error instanceof ConfigError || !(error instanceof Error) ? String(error) : error.stack ?? error.message;
}

/**
 * Reads environment variables with types and defaults, collecting every problem so that a
 * misconfigured process stops at start with one message naming all of them.
 */
export interface EnvReader {
  string(name: string, fallback?: string): string;
  int(name: string, fallback?: number, range?: { min?: number; max?: number }): number;
  port(name: string, fallback?: number): number;
  bool(name: string, fallback?: boolean): boolean;
  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T;
  url(name: string, protocols: readonly string[], fallback?: string): string;
  /** host:port */
  address(name: string, fallback?: string): string;
  /** A string that must match `pattern`; `rule` says in words what it must be. */
  matching(name: string, pattern: RegExp, rule: string, fallback?: string): string;
  /** Throws ConfigError when any read above failed. */
  done(): void;
}

/** Starts reading `source` (process.env by default). */
export function readEnv(source: Record<string, string | undefined> = process.env): EnvReader {
  const problems: string[] = [];
  const raw = (name: string, fallback: unknown): string | undefined => {
    const v = source[name];
    if (v !== undefined && v !== "") return v.trim();
    if (fallback === undefined) problems.push(`${name} is required`);
    return undefined;
  };
  const reader: EnvReader = {
    string(name, fallback) {
      return raw(name, fallback) ?? fallback ?? "";
    },
    int(name, fallback, range = {}) {
      const v = raw(name, fallback);
      if (v === undefined) return fallback ?? 0;
      const n = Number(v);
      if (!Number.isInteger(n)) { problems.push(`${name}=${JSON.stringify(v)} is not a whole number`); return fallback ?? 0; }
      if (range.min !== undefined && n < range.min) problems.push(`${name}=${n} is below ${range.min}`);
      if (range.max !== undefined && n > range.max) problems.push(`${name}=${n} is above ${range.max}`);
      return n;
    },
    port(name, fallback) {
      return reader.int(name, fallback, { min: 0, max: 65535 });
    },
    bool(name, fallback) {
      const v = raw(name, fallback);
      if (v === undefined) return fallback ?? false;
      if (/^(1|true|yes|on)$/i.test(v)) return true;
      if (/^(0|false|no|off)$/i.test(v)) return false;
      problems.push(`${name}=${JSON.stringify(v)} is not a boolean (true or false)`);
      return fallback ?? false;
    },
    oneOf(name, values, fallback) {
      const v = raw(name, fallback);
      if (v === undefined) return fallback as (typeof values)[number];
      if (!values.includes(v as never)) {
        problems.push(`${name}=${JSON.stringify(v)} is not one of ${values.join(", ")}`);
        return fallback ?? values[0];
      }
      return v as (typeof values)[number];
    },
    url(name, protocols, fallback) {
      const v = raw(name, fallback) ?? fallback ?? "";
      try {
        const u = new URL(v);
        if (!protocols.includes(u.protocol.replace(/:$/, ""))) {
          problems.push(`${name}=${JSON.stringify(v)} must start with ${protocols.map((p) => p + "://").join(" or ")}`);
        }
      } catch {
        if (v) problems.push(`${name}=${JSON.stringify(v)} is not a URL`);
      }
      return v;
    },
    address(name, fallback) {
      const v = raw(name, fallback) ?? fallback ?? "";
      if (v && !/^[A-Za-z0-9.\-_\[\]:]+:\d{1,5}$/.test(v)) problems.push(`${name}=${JSON.stringify(v)} is not host:port`);
      return v;
    },
    matching(name, pattern, rule, fallback) {
      const v = raw(name, fallback) ?? fallback ?? "";
      if (v && !pattern.test(v)) problems.push(`${name}=${JSON.stringify(v)} ${rule}`);
      return v;
    },
    done() {
      if (problems.length > 0) throw new ConfigError([...problems]);
    },
  };
  return reader;
}
