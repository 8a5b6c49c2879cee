/**
 * `npm run cli -- <command> [args]`: the CLI's entry point, nothing else (the dispatcher is
 * scripts/cli/main.ts; adding a command is described in scripts/cli/command.ts).
 */
import { main } from "./cli/main";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
