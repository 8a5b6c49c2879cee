import crypto from "node:crypto";
import { sqlite } from "../db/client";

/**
 * API tokens: the only SQL of access control, kept in this one module (the data layer is moving
 * to an async `Db` interface; these four functions are what it has to port). A token is
 * `tc_` + 32 random bytes (base64url), shown once by `npm run cli -- token create`; the table
 * keeps its SHA-256 (a fast hash is right for 256 random bits: there is nothing to guess) and
 * its first characters for `token list`. Looking a token up by its hash leaks nothing about
 * other tokens through timing: an attacker would need a preimage to aim at one.
 */
export interface ApiTokenInfo {
  name: string;
  /** The token's first characters, to tell tokens apart in a list. */
  prefix: string;
  createdAt: string;
}

export class ApiTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiTokenError";
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const TOKEN = /^tc_[A-Za-z0-9_-]{43}$/;

export function hashApiToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/** Creates a token; returns it (the only time it exists in clear) and its listing. */
export async function createApiToken(name: string): Promise<{ token: string; info: ApiTokenInfo }> {
  if (!NAME.test(name)) throw new ApiTokenError(`"${name}" is not a valid token name: use 1 to 64 letters, digits, ".", "_" or "-".`);
  const token = `tc_${crypto.randomBytes(32).toString("base64url")}`;
  const prefix = token.slice(0, 8);
  const db = sqlite();
  if (db.prepare(`SELECT 1 FROM "ApiToken" WHERE "name" = ?`).get(name) !== undefined) {
    throw new ApiTokenError(`A token named "${name}" already exists; revoke it first or choose another name.`);
  }
  const row = db
    .prepare(`INSERT INTO "ApiToken" ("name", "hash", "prefix", "createdAt") VALUES (?, ?, ?, ?) RETURNING "createdAt"`)
    .get(name, hashApiToken(token), prefix, new Date().toISOString()) as { createdAt: string };
  return { token, info: { name, prefix, createdAt: row.createdAt } };
}

export async function listApiTokens(): Promise<ApiTokenInfo[]> {
  return sqlite().prepare(`SELECT "name", "prefix", "createdAt" FROM "ApiToken" ORDER BY "name"`).all() as ApiTokenInfo[];
}

/** Deletes the token called `name`; false when there is none. */
export async function revokeApiToken(name: string): Promise<boolean> {
  return sqlite().prepare(`DELETE FROM "ApiToken" WHERE "name" = ?`).run(name).changes > 0;
}

/** Whether `token` is a live API token. */
export async function isApiToken(token: string): Promise<boolean> {
  if (!TOKEN.test(token)) return false;
  return sqlite().prepare(`SELECT 1 FROM "ApiToken" WHERE "hash" = ?`).get(hashApiToken(token)) !== undefined;
}
