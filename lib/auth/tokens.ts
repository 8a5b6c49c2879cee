import crypto from "node:crypto";
import type { Db } from "../db/types";

/**
 * API tokens: the only SQL of access control, kept in this one module. A token is
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
export async function createApiToken(db: Db, name: string): Promise<{ token: string; info: ApiTokenInfo }> {
  if (!NAME.test(name)) throw new ApiTokenError(`"${name}" is not a valid token name: use 1 to 64 letters, digits, ".", "_" or "-".`);
  const token = `tc_${crypto.randomBytes(32).toString("base64url")}`;
  const prefix = token.slice(0, 8);
  const createdAt = new Date();
  const inserted = await db.transaction(async (tx) => {
    if ((await tx.get(`SELECT 1 AS "one" FROM "ApiToken" WHERE "name" = ?${tx.dialect.forUpdate}`, [name])) !== undefined) return false;
    await tx.run(`INSERT INTO "ApiToken" ("name", "hash", "prefix", "createdAt") VALUES (?, ?, ?, ?)`, [name, hashApiToken(token), prefix, createdAt]);
    return true;
  });
  if (!inserted) throw new ApiTokenError(`A token named "${name}" already exists; revoke it first or choose another name.`);
  return { token, info: { name, prefix, createdAt: createdAt.toISOString() } };
}

export async function listApiTokens(db: Db): Promise<ApiTokenInfo[]> {
  const rows = await db.all<{ name: string; prefix: string; createdAt: Date }>(`SELECT "name", "prefix", "createdAt" FROM "ApiToken" ORDER BY "name"`);
  return rows.map((r) => ({ name: r.name, prefix: r.prefix, createdAt: r.createdAt.toISOString() }));
}

/** Deletes the token called `name`; false when there is none. */
export async function revokeApiToken(db: Db, name: string): Promise<boolean> {
  return (await db.run(`DELETE FROM "ApiToken" WHERE "name" = ?`, [name])).changes > 0;
}

/** Whether `token` is a live API token. */
export async function isApiToken(db: Db, token: string): Promise<boolean> {
  if (!TOKEN.test(token)) return false;
  return (await db.get(`SELECT 1 AS "one" FROM "ApiToken" WHERE "hash" = ?`, [hashApiToken(token)])) !== undefined;
}
