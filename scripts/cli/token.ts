/**
 * `token create --name NAME | list | revoke NAME`: API tokens for `Authorization: Bearer` when
 * the server has a password (TIDECAST_PASSWORD). The token is printed once; only its hash is kept.
 */
import { parseArgs } from "node:util";
import { CliError, type Command } from "./command";
import { openDatabase } from "./database";

const USAGE = `Usage: npm run cli -- token <create --name NAME | list | revoke NAME>

API tokens let scripts call the API of a server that has a password (TIDECAST_PASSWORD):
send "Authorization: Bearer <token>". Uses DATABASE_URL, as the app does.

  token create --name NAME   create a token and print it (shown only this once)
  token list                 the tokens: name, first characters, creation time
  token revoke NAME          delete a token; requests with it get 401 from then on
`;

async function run(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { name: { type: "string" } }, allowPositionals: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const tokens = await import("../../lib/auth/tokens");
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof tokens.ApiTokenError) throw new CliError(err.message);
      throw err;
    }
  };
  switch (action) {
    case "create": {
      const name = parsed.values.name ?? parsed.positionals[0];
      if (!name) throw new CliError(`token create needs --name NAME.\n\n${USAGE}`);
      const db = await openDatabase();
      const { token } = await wrap(() => tokens.createApiToken(db, name));
      process.stderr.write(`Created token "${name}". Copy it now: it is not shown again.\n`);
      process.stdout.write(`${token}\n`);
      return 0;
    }
    case "list": {
      const list = await tokens.listApiTokens(await openDatabase());
      if (list.length === 0) process.stderr.write("No API tokens.\n");
      for (const t of list) process.stdout.write(`${t.name}\t${t.prefix}…\t${t.createdAt}\n`);
      return 0;
    }
    case "revoke": {
      const name = parsed.positionals[0] ?? parsed.values.name;
      if (!name) throw new CliError(`token revoke needs the token's name.\n\n${USAGE}`);
      if (!(await tokens.revokeApiToken(await openDatabase(), name))) throw new CliError(`There is no token named "${name}" (see "token list").`);
      process.stderr.write(`Revoked token "${name}".\n`);
      return 0;
    }
    default:
      throw new CliError(`${action ? `Unknown token action "${action}".` : "token needs an action."}\n\n${USAGE}`);
  }
}

const command: Command = { summary: "Create, list and revoke API tokens (Authorization: Bearer)", usage: USAGE, run };
export default command;
