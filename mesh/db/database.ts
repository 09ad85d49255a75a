import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Knex } from "knex";
import { ConfigError } from "../config/env.js";
import type { Logger } from "../log/logger.js";
import { registerSqliteConnection, type SqliteConnection } from "./sqlite-connection.js";

// knex is CommonJS without an exports map: the named ESM import type-checks but fails at run time. It is loaded
// when a database is opened, so that a process that keeps none (the gateway) does not carry it (and lodash).
type KnexFactory = (config: Knex.Config) => Knex;
const loadKnex = async (): Promise<KnexFactory> => (await import("knex")).default.knex;

/** The two databases the runtime supports. */
export type Dialect = "sqlite" | "mysql";

/** Where a service keeps its state: one URL, as DATABASE_URL gives it. */
export interface DatabaseOptions {
  /** `sqlite://path/to/file.sqlite` (relative to the working directory, or `sqlite:///abs/path`), `sqlite::memory:`, or `mysql://user:pass@host:port/dbname`. */
  url: string;
  logger?: Logger;
  /** Connections in the MySQL pool (SQLite always has one: it has one writer). Default 10. */
  poolSize?: number;
}

/** A parsed DATABASE_URL. */
export type DatabaseTarget =
  | { dialect: "sqlite"; filename: string }
  | { dialect: "mysql"; host: string; port: number; user: string; password: string; database: string };

/** The URL a service uses when DATABASE_URL is not set: its own SQLite file in the data folder. */
export function defaultDatabaseUrl(dataDir: string, serviceId: string): string {
  return `sqlite://${dataDir.replace(/\/+$/, "")}/${serviceId}.sqlite`;
}

/** Parses a database URL, or throws a ConfigError naming DATABASE_URL and what is wrong with it. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const bad = (why: string) => new ConfigError([`DATABASE_URL=${JSON.stringify(redactUrl(url))} ${why}`]);
  if (url === "sqlite::memory:") return { dialect: "sqlite", filename: ":memory:" };
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (!url.startsWith("sqlite://") || path === "") {
      throw bad("must be sqlite://<path to file> (sqlite:///absolute/path for an absolute one) or sqlite::memory:");
    }
    return { dialect: "sqlite", filename: resolve(decodeURIComponent(path)) };
  }
  if (url.startsWith("mysql:")) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw bad("is not a valid URL: expected mysql://user:password@host:port/database");
    }
    const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
    if (!u.hostname) throw bad("names no host: expected mysql://user:password@host:port/database");
    if (!database) throw bad("names no database: expected mysql://user:password@host:port/database");
    if (!/^[A-Za-z0-9_$-]{1,64}$/.test(database)) throw bad(`has an unusable database name "${database}" (letters, digits, _ $ - only)`);
    if (!u.username) throw bad("names no user: expected mysql://user:password@host:port/database");
    return {
      dialect: "mysql",
      host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: u.port ? Number(u.port) : 3306,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database,
    };
  }
  throw bad("must start with sqlite:// (or be sqlite::memory:) or mysql://");
}

/** The URL with its password replaced, fit for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(mysql:\/\/[^:/@]*:)[^@]*@/, "$1***@");
}

/** Which database `db` talks to, for the few statements that differ (e.g. SKIP LOCKED). */
export function dialectOf(db: Knex): Dialect {
  const client = db.client.config.client;
  if (client === "better-sqlite3") return "sqlite";
  if (client === "mysql2") return "mysql";
  throw new Error(`unsupported knex client ${String(client)}`);
}

/**
 * Opens the service's database from one URL (SQLite by default, MySQL in production),
 * creating the file's folder or the MySQL database when missing, and checks that it answers.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Knex> {
  const target = parseDatabaseUrl(options.url);
  let db: Knex | undefined;
  try {
    const log = knexLog(options.logger);
    const knex = await loadKnex();
    db = target.dialect === "sqlite" ? openSqlite(knex, target.filename, log) : await openMysql(knex, target, options.poolSize ?? 10, log);
    await db.raw("select 1");
  } catch (err) {
    await db?.destroy().catch(() => {});
    throw new Error(`cannot open the database at DATABASE_URL=${redactUrl(options.url)}: ${(err as Error).message}`, { cause: err });
  }
  options.logger?.info("database ready", { dialect: target.dialect, url: redactUrl(options.url) });
  return db;
}

// knex prints its warnings with console.log; send them to the service's log instead.
function knexLog(logger: Logger | undefined): Knex.Config["log"] {
  const to = (level: "debug" | "warn" | "error") => (message: unknown) =>
    logger?.[level](`knex: ${message instanceof Error ? message.message : String(message)}`);
  return { debug: to("debug"), warn: to("warn"), error: to("error"), deprecate: (method: string, alt: string) => logger?.warn(`knex: ${method} is deprecated, use ${alt}`) };
}

function openSqlite(knex: KnexFactory, filename: string, log: Knex.Config["log"]): Knex {
  if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
  let opened: SqliteConnection | undefined;
  const db = knex({
    client: "better-sqlite3",
    connection: { filename },
    log,
    useNullAsDefault: true,
    // One connection: SQLite has one writer, and :memory: exists only inside its connection.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        try {
          cacheStatements(conn);
          conn.pragma("journal_mode = WAL");
          conn.pragma("synchronous = NORMAL");
          conn.pragma("busy_timeout = 5000");
          conn.pragma("foreign_keys = ON");
          opened = conn;
          done(null, conn);
        } catch (err) {
          done(err as Error, conn);
        }
      },
    },
  });
  registerSqliteConnection(db, () => opened);
  return db;
}

// knex prepares every query anew; the services' queries are few and repeated, so a compiled
// statement per SQL text saves that work (SQLite recompiles a statement after a schema change).
function cacheStatements(conn: SqliteConnection, limit = 2000): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, ReturnType<SqliteConnection["prepare"]>>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size < limit) cache.set(sql, statement);
    }
    return statement;
  };
}

type MysqlTarget = Extract<DatabaseTarget, { dialect: "mysql" }>;

async function openMysql(knex: KnexFactory, target: MysqlTarget, poolSize: number, log: Knex.Config["log"]): Promise<Knex> {
  const { database, ...server } = target;
  const connection = {
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    charset: "utf8mb4",
    timezone: "Z", // DATETIME values are UTC both ways
    dateStrings: false,
    jsonStrings: true, // JSON columns come back as text, as on SQLite
    supportBigNumbers: true,
    bigNumberStrings: true, // BIGINT and DECIMAL come back as exact strings
  };
  await createDatabaseIfMissing(knex, connection, database, log);
  return knex({
    client: "mysql2",
    log,
    connection: { ...connection, database } as Knex.MySql2ConnectionConfig,
    pool: {
      min: 0,
      max: poolSize,
      // READ COMMITTED: a lock taken to read a row that is not there yet (a new payment, order or
      // delivery) holds no gap, so commands creating neighbouring keys at once do not deadlock
      // (REPEATABLE READ's gap locks aborted a third of 8 simultaneous new payments); two creating
      // the same key meet at its unique index, a lost race decided again on the winner's row.
      afterCreate(conn: { query(sql: string, cb: (err: Error | null) => void): void }, done: (err: Error | null, conn: unknown) => void) {
        conn.query("SET time_zone = '+00:00'", (err) => {
          if (err) return done(err, conn);
          conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", (err2) => done(err2, conn));
        });
      },
    },
  });
}

// Each service has a database of its own (mesh/db/service-database.ts): create it on first start
// when the user may; when it may not, the database must exist already, or the error says what to run.
async function createDatabaseIfMissing(knex: KnexFactory, connection: object, database: string, log: Knex.Config["log"]): Promise<void> {
  const admin = knex({ client: "mysql2", log, connection: connection as Knex.MySql2ConnectionConfig, pool: { min: 0, max: 1 } });
  try {
    await admin.raw("CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", [database]);
  } catch (err) {
    if ((err as { code?: string }).code !== "ER_DBACCESS_DENIED_ERROR") throw err;
    // A user without CREATE rights may still use an existing database it was granted: the schemata it sees.
    const visible = await admin.raw("SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", [database]);
    if ((visible[0] as unknown[]).length > 0) return;
    const [[{ user }]] = await admin.raw("SELECT CURRENT_USER() AS user");
    const account = String(user).replace(/^(.*)@([^@]*)$/, "'$1'@'$2'");
    throw new Error(
      `the database ${database} does not exist (or ${account} may not use it), and ${account} may not create it. ` +
        `As an administrator, run: CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; ` +
        `GRANT ALL PRIVILEGES ON \`${database}\`.* TO ${account}; ` +
        `or let it create every service's database: GRANT ALL PRIVILEGES ON \`<database of DATABASE_URL>\\_%\`.* TO ${account};`,
      { cause: err },
    );
  } finally {
    await admin.destroy();
  }
}
