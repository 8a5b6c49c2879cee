/**
 * `db copy --to postgresql://…`: moves an existing SQLite database (DATABASE_URL, default
 * data/tidecast.db) to PostgreSQL: migrates the target, then copies every table (datasets,
 * points, runs with their epochs and model files, forecasts, jobs, schedules) in one
 * transaction and checks each table's row count. The target must be empty.
 */
import { parseArgs } from "node:util";
import { CliError, type Command } from "./command";
import { openDatabase } from "./database";

const USAGE = `Usage: npm run cli -- db copy --to postgresql://USER:PASSWORD@HOST:5432/DATABASE

Copies the SQLite database named by DATABASE_URL (default data/tidecast.db) into an empty
PostgreSQL database: creates its tables (prisma migrate deploy), copies every row in one
transaction, and checks the row count of every table. Nothing is written to the target
unless everything is. Stop the app and the workers first, so nothing changes meanwhile.

Options:
  --to URL      the PostgreSQL database to copy into (must exist and be empty)
`;

async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { to: { type: "string" } } });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const [sub, ...extra] = parsed.positionals;
  if (sub !== "copy" || extra.length > 0) throw new CliError(`Unknown db command "${[sub, ...extra].join(" ")}".\n\n${USAGE}`);
  const to = parsed.values.to;
  const { databaseKind, databaseUrl, redactUrl } = await import("../../lib/db/url");
  if (!to) throw new CliError(`--to is required.\n\n${USAGE}`);
  if (!/^postgres(ql)?:\/\//.test(to)) throw new CliError(`--to must be a PostgreSQL URL (postgresql://…), got "${redactUrl(to)}".`);
  if (databaseKind(databaseUrl()) !== "sqlite") throw new CliError(`DATABASE_URL must name the SQLite database to copy (file:…), got "${redactUrl(databaseUrl())}".`);

  const source = await openDatabase();
  const { migrateDeploy } = await import("../../lib/db/migrate");
  const migrated = await migrateDeploy(process.cwd(), { ...process.env, DATABASE_URL: to });
  if (!migrated.ok) throw new CliError(`Could not prepare ${redactUrl(to)}:\n${migrated.output.trim()}`, 1);
  const { openDb } = await import("../../lib/db/client");
  const { copyDatabase, CopyError } = await import("../../lib/db/copy");
  const target = openDb(to, { applicationName: "tidecast-db-copy" });
  const started = Date.now();
  try {
    const copied = await copyDatabase(source, target, {
      onTable: ({ table, rows }) => process.stderr.write(`  ${table}: ${rows} rows\n`),
    });
    const total = copied.reduce((n, c) => n + c.rows, 0);
    process.stdout.write(
      `Copied ${total} rows of ${copied.length} tables into ${redactUrl(to)} in ${((Date.now() - started) / 1000).toFixed(1)} s; every table's count matches.\n` +
        `Point the app and the workers at it: DATABASE_URL=${redactUrl(to)}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof CopyError) throw new CliError(err.message);
    throw err;
  } finally {
    await target.close();
  }
}

const command: Command = { summary: "Copy the SQLite database into an empty PostgreSQL database (db copy --to URL)", usage: USAGE, run };
export default command;
