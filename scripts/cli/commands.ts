/**
 * The CLI's commands by name, loaded lazily so one command's dependencies never slow another.
 * A new command is one line here (see command.ts).
 */
import type { Command } from "./command";

export const COMMANDS: Record<string, () => Promise<{ default: Command }>> = {
  forecast: () => import("./forecast"),
  import: () => import("./import"),
  train: () => import("./train"),
  export: () => import("./export"),
  token: () => import("./token"),
  db: () => import("./db"),
};
