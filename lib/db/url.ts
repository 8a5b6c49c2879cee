import path from "node:path";

/**
 * Which database a URL names. `file:` (the default) is an embedded SQLite file; `postgresql://`
 * (or `postgres://`) a PostgreSQL server. Everything that differs between the two is chosen from
 * this, in lib/db only.
 */
export type DatabaseKind = "sqlite" | "postgresql";

/** DATABASE_URL, or the embedded default `file:<project>/data/tidecast.db`. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (url && url.trim() !== "") return url.trim();
  return `file:${path.join(process.cwd(), "data", "tidecast.db")}`;
}

export class DatabaseUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseUrlError";
  }
}

export function databaseKind(url: string = databaseUrl()): DatabaseKind {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgresql";
  throw new DatabaseUrlError(
    `DATABASE_URL must be a SQLite file (file:./data/tidecast.db) or a PostgreSQL URL (postgresql://user:password@host:5432/db); got "${redactUrl(url)}".`,
  );
}

/** The file path of a `file:` URL (relative paths resolve against the working directory). */
export function databaseFile(url: string = databaseUrl()): string {
  if (!url.startsWith("file:")) throw new DatabaseUrlError(`Not a SQLite file URL: ${redactUrl(url)}`);
  return path.resolve(url.slice("file:".length).replace(/\?.*$/, ""));
}

/** The URL with its password masked, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, "$1***@");
}
