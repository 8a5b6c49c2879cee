import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Access settings from the environment (read per request: cheap, and tests can change them):
 * - TIDECAST_PASSWORD: when set, every page and API route needs a session or an API token;
 * - TIDECAST_SECRET: the server secret sessions are signed with (`npm start` creates one next to
 *   the database when unset, so sessions survive restarts);
 * - HOST: the address the app listens on (default 127.0.0.1);
 * - TIDECAST_ALLOWED_HOSTS: extra host names requests may be addressed to (the name users type,
 *   e.g. "tidecast.example.com" behind a reverse proxy), comma-separated;
 * - TIDECAST_TRUST_PROXY=1: a reverse proxy in front sets X-Forwarded-Proto / X-Forwarded-For.
 */
export interface AccessSettings {
  password: string | null;
  secret: string;
  /** Host names (lowercase, no port) besides the loopback names that requests may name. */
  allowedHosts: Set<string>;
  trustProxy: boolean;
}

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]", ""]);
export const DEFAULT_HOST = "127.0.0.1";

const globalForSecret = globalThis as typeof globalThis & { __tidecastSecret?: string };

/** A process-wide random secret for when TIDECAST_SECRET is unset (sessions then end at a restart). */
function fallbackSecret(): string {
  globalForSecret.__tidecastSecret ??= crypto.randomBytes(32).toString("base64url");
  return globalForSecret.__tidecastSecret;
}

/** "Example.COM:3000" -> "example.com"; "[::1]:3000" -> "::1". */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]") > 0 ? h.indexOf("]") : undefined);
  const colon = h.indexOf(":");
  // More than one colon without brackets: a bare IPv6 address.
  if (colon >= 0 && h.indexOf(":", colon + 1) >= 0) return h;
  return colon >= 0 ? h.slice(0, colon) : h;
}

export function isLoopbackName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost") || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || name === "::1";
}

export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(host.trim());
}

/** The addresses and name of this machine: what a LAN user types when HOST is 0.0.0.0. */
function machineNames(): string[] {
  const names = [os.hostname().toLowerCase()];
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) names.push(a.address.toLowerCase());
  return names;
}

export function accessSettings(env: Record<string, string | undefined> = process.env): AccessSettings {
  const host = env.HOST?.trim() || DEFAULT_HOST;
  const allowed = new Set<string>();
  for (const h of (env.TIDECAST_ALLOWED_HOSTS ?? "").split(",")) if (h.trim()) allowed.add(hostName(h));
  if (isWildcardHost(host)) for (const n of machineNames()) allowed.add(n);
  else allowed.add(hostName(host));
  const password = env.TIDECAST_PASSWORD ?? "";
  return {
    password: password === "" ? null : password,
    secret: env.TIDECAST_SECRET?.trim() || fallbackSecret(),
    allowedHosts: allowed,
    trustProxy: env.TIDECAST_TRUST_PROXY === "1" || env.TIDECAST_TRUST_PROXY === "true",
  };
}

/** Whether HOST names only this machine (127.0.0.1, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(hostName(host));
}

/**
 * The server secret for `npm start`: TIDECAST_SECRET, or one kept in `dir`/tidecast-secret
 * (created once, readable by its owner only), so sessions survive restarts.
 */
export function ensureServerSecret(dir: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env.TIDECAST_SECRET?.trim();
  if (given) return given;
  const file = path.join(dir, "tidecast-secret");
  try {
    const stored = fs.readFileSync(file, "utf8").trim();
    if (stored) return stored;
  } catch {
    // not there yet
  }
  const secret = crypto.randomBytes(32).toString("base64url");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
