import { createHash } from "node:crypto";

// One DATABASE_URL serves every service: each derives its own database from it, so that two
// services never share tables or a migration history (which knex reports as "The migration
// directory is corrupt": one service's history names migrations the other does not have).

/** MySQL's limit on a database name. */
const maxNameLength = 64;

/**
 * The database a service keeps its state in when DATABASE_URL names `base`: `<base>_<service id>`
 * with anything but letters, digits and `_` turned into `_` (`shop` + `flower-order` →
 * `shop_flower_order`). A name over 64 characters is cut and ends in 8 hex digits of a hash of
 * the whole name, so that two services never meet in one database.
 */
export function serviceDatabaseName(base: string, serviceId: string): string {
  const name = `${base}_${serviceId.replace(/[^A-Za-z0-9_]/g, "_")}`;
  if (name.length <= maxNameLength) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, maxNameLength - hash.length - 1)}_${hash}`;
}

/**
 * The service's own URL within the shared DATABASE_URL: on MySQL the database
 * `serviceDatabaseName(<its database>, id)` on the same server, with SQLite a file of that name
 * beside the given one (`sqlite://data/shop.sqlite` → `data/shop_flower_order.sqlite`).
 * `sqlite::memory:` and a URL that does not parse are returned as they are (opening one says
 * what is wrong with it).
 */
export function serviceDatabaseUrl(url: string, serviceId: string): string {
  if (url.startsWith("sqlite://")) {
    const file = /^(sqlite:\/\/.*?)([^/]+?)(\.[^./]*)?$/.exec(url);
    return file ? `${file[1]}${serviceDatabaseName(file[2], serviceId)}${file[3] ?? ""}` : url;
  }
  if (url.startsWith("mysql://")) {
    try {
      const u = new URL(url);
      const base = decodeURIComponent(u.pathname.replace(/^\//, ""));
      if (!base) return url;
      u.pathname = `/${serviceDatabaseName(base, serviceId)}`;
      return u.toString();
    } catch {
      return url;
    }
  }
  return url;
}

/** The variable that gives one service a database URL of its own, used as it is: `FLOWER_ORDER_DATABASE_URL`. */
export function databaseVariable(serviceId: string): string {
  return `${serviceId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_DATABASE_URL`;
}
