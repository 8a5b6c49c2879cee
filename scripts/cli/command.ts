/**
 * What every CLI command is, and the error it throws for bad arguments or input. Commands import
 * this module only (never scripts/cli.ts or scripts/cli/main.ts), so imports point one way:
 * cli.ts -> cli/main.ts -> cli/commands.ts -> cli/<name>.ts -> cli/command.ts.
 *
 * Adding a command: write `scripts/cli/<name>.ts` whose default export is a `Command`, and add
 * its line to COMMANDS in `scripts/cli/commands.ts`.
 */

export interface Command {
  /** One line for `help`. */
  summary: string;
  /** Full usage text for `help <command>` and usage errors. */
  usage: string;
  /** Runs the command on its arguments (the words after its name); resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** Bad arguments or input: the CLI prints `error: <message>` (no stack) and exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
