import path from "node:path";

/** The SQLite database URL: DATABASE_URL, or `file:<project>/data/tidecast.db`. */
export function databaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL;
  if (url && url.trim() !== "") return url;
  return `file:${path.join(process.cwd(), "data", "tidecast.db")}`;
}

/** The file path of a `file:` URL (relative paths resolve against the working directory). */
export function databaseFile(url: string = databaseUrl()): string {
  if (!url.startsWith("file:")) throw new Error(`Only file: URLs are supported for SQLite, got ${url}`);
  return path.resolve(url.slice("file:".length));
}
