import { db } from "../../lib/db/client";
import type { Db } from "../../lib/db/types";
import { migrateDeploy } from "../../lib/db/migrate";
import { databaseUrl, redactUrl } from "../../lib/db/url";
import { CliError } from "./command";

/** Brings the database named by DATABASE_URL up to date, then opens it (close it with closeDb). */
export async function openDatabase(): Promise<Db> {
  process.env.DATABASE_URL = databaseUrl();
  const result = await migrateDeploy(process.cwd(), process.env);
  if (!result.ok) throw new CliError(`Could not prepare the database ${redactUrl(process.env.DATABASE_URL)}:\n${result.output.trim()}`, 1);
  return db();
}
