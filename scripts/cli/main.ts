/**
 * The command dispatcher behind `npm run cli -- <command> [args]`: `help`, then the command's
 * `run`. A command returns its exit code. Errors: `CliError` (or any error with a numeric
 * `exitCode`) for bad arguments or input — exit code 2 and the message only; library errors that
 * carry a user-facing message (ForecastError, CsvImportError, ZodError) are shown the same way;
 * anything else is an internal error (exit 1), with the stack only when TIDECAST_DEBUG=1.
 */
import { CliError } from "./command";
import { COMMANDS } from "./commands";

/** Errors whose message is written for the user: shown without a stack, exit code 2. */
const USER_ERRORS = new Set(["CliError", "ForecastError", "CsvImportError", "ZodError"]);

async function help(args: string[]): Promise<number> {
  const name = args[0];
  if (name) {
    const load = COMMANDS[name];
    if (!load) throw new CliError(`Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(", ")}.`);
    process.stdout.write((await load()).default.usage.trimEnd() + "\n");
    return 0;
  }
  const lines = ["Usage: npm run cli -- <command> [options]", "", "Commands:"];
  for (const [cmd, load] of Object.entries(COMMANDS)) lines.push(`  ${cmd.padEnd(10)} ${(await load()).default.summary}`);
  lines.push(`  ${"help".padEnd(10)} Show this help, or a command's usage: help <command>`);
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

/** Runs the CLI on its arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === "help" || name === "--help" || name === "-h") return await help(rest);
    const load = COMMANDS[name];
    if (!load) throw new CliError(`Unknown command "${name}". Run "npm run cli -- help" for the list of commands.`);
    const command = (await load()).default;
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(command.usage.trimEnd() + "\n");
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    const err = e as Error & { exitCode?: unknown };
    if (typeof err?.exitCode === "number" || USER_ERRORS.has(err?.name)) {
      process.stderr.write(`error: ${err.message}\n`);
      return typeof err.exitCode === "number" ? err.exitCode : 2;
    }
    process.stderr.write(`internal error: ${err?.message ?? String(e)}\n`);
    if (process.env.TIDECAST_DEBUG === "1" && err?.stack) process.stderr.write(err.stack + "\n");
    return 1;
  } finally {
    // A database command leaves the shared connection (a PostgreSQL pool) open: close it so the
    // process can exit (lib/db/shared.ts: without loading the database modules when none was opened).
    const { closeDb } = await import("../../lib/db/shared");
    await closeDb();
  }
}
