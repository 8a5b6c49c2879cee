import { AttemptLimiter } from "@/lib/auth/limiter";
import { isHttps } from "@/lib/auth/policy";
import { SESSION_COOKIE, SESSION_DAYS, issueSession, passwordMatches, sessionKey } from "@/lib/auth/session";
import { accessSettings } from "@/lib/auth/settings";
import { jsonError, readJson } from "../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One limiter per server process (kept on globalThis so a re-evaluated module shares it). */
const globalForLimiter = globalThis as typeof globalThis & { __tidecastLogin?: AttemptLimiter };
const limiter = (globalForLimiter.__tidecastLogin ??= new AttemptLimiter());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function clientKey(req: Request, trustProxy: boolean): string {
  const forwarded = req.headers.get("x-forwarded-for") ?? "";
  // Behind a trusted proxy the first address is the client's; otherwise Next.js fills the header
  // with the socket's address unless the client sent one (which the overall limit then bounds).
  const first = forwarded.split(",")[0]?.trim();
  return (trustProxy ? first : forwarded.trim()) || "unknown";
}

function cookie(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** POST /api/session `{ "password": "…" }`: signs in (a session cookie), or 401 after a delay, or 429. */
export async function POST(req: Request): Promise<Response> {
  const settings = accessSettings();
  if (settings.password === null) return jsonError(400, "NO_PASSWORD", "Sign-in is off: TIDECAST_PASSWORD is not set, so the app is open on this machine.");
  const key = clientKey(req, settings.trustProxy);
  const wait = limiter.blockedFor(key, Date.now());
  if (wait !== null) {
    const seconds = Math.ceil(wait / 1000);
    const res = jsonError(429, "TOO_MANY_ATTEMPTS", `Too many failed sign-in attempts; try again in ${seconds} s.`, { retryAfter: seconds });
    res.headers.set("retry-after", String(seconds));
    return res;
  }
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const password = (body.value as { password?: unknown }).password;
  if (typeof password !== "string" || password === "") return jsonError(400, "INVALID_SESSION", 'Send { "password": "…" }.', { field: "password" });
  if (!passwordMatches(password, settings.password)) {
    await sleep(limiter.fail(key, Date.now()));
    return jsonError(401, "INVALID_PASSWORD", "Wrong password.", { field: "password" });
  }
  limiter.succeed(key);
  const value = issueSession(sessionKey(settings.password, settings.secret), Date.now());
  const res = new Response(JSON.stringify({ signedIn: true }), { status: 200, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
  res.headers.append("set-cookie", cookie(value, SESSION_DAYS * 86_400, isHttps(req.headers, settings)));
  return res;
}

/** DELETE /api/session: signs out (clears the cookie). */
export async function DELETE(req: Request): Promise<Response> {
  const res = new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  res.headers.append("set-cookie", cookie("", 0, isHttps(req.headers, accessSettings())));
  return res;
}
