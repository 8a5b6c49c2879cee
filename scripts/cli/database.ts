import { migrateDeploy } from "../../lib/db/migrate";
import { databaseUrl } from "../../lib/db/url";
import { CliError } from "./command";

/** Brings the database named by DATABASE_URL up to date before a command uses it. */
export function openDatabase(): void {
  process.env.DATABASE_URL = databaseUrl();
  const result = migrateDeploy(process.cwd(), process.env);
  if (!result.ok) throw new CliError(`Could not prepare the database ${process.env.DATABASE_URL}:\n${result.output.trim()}`, 1);
}
