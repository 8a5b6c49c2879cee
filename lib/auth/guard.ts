import { db } from "../db/client";
import { API_POLICY, applySecurityHeaders } from "./headers";
import { checkRequest, isHttps, isPublicPath, type Refusal } from "./policy";
import { SESSION_COOKIE, sessionKey, verifySession } from "./session";
import { accessSettings, type AccessSettings } from "./settings";
import { isApiToken } from "./tokens";

/**
 * The whole access check of one request: the policy (host, origin, body type), then, with a
 * password, a session cookie or an API token. app/proxy.ts runs it for every request but the
 * upload, whose route runs it itself (see app/api/datasets/route.ts), so one function decides.
 */
export type GuardResult = { kind: "refuse"; response: Response } | { kind: "pass"; https: boolean };

export function readCookie(headers: Headers, name: string): string | undefined {
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearer(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth === null) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m ? m[1] : "";
}

/** Whether the caller holds a valid API token (Authorization: Bearer) or session cookie. */
export async function isAuthenticated(headers: Headers, settings: AccessSettings, now: number = Date.now()): Promise<boolean> {
  const token = bearer(headers);
  if (token !== null) return token !== "" && (await isApiToken(db(), token));
  if (settings.password === null) return false;
  return verifySession(readCookie(headers, SESSION_COOKIE), sessionKey(settings.password, settings.secret), now);
}

/** An error answer in the API's shape, or plain text for pages, with the security headers. */
export function refusalResponse(pathname: string, refusal: Refusal, extra: Record<string, string> = {}): Response {
  const api = pathname.startsWith("/api/");
  const body = api
    ? JSON.stringify({ error: { code: refusal.code, message: refusal.message, details: refusal.details ?? {} } })
    : `${refusal.message}\n`;
  const headers = new Headers({ "content-type": api ? "application/json; charset=utf-8" : "text/plain; charset=utf-8", "cache-control": "no-store", ...extra });
  applySecurityHeaders(headers, API_POLICY);
  return new Response(body, { status: refusal.status, headers });
}

/**
 * Where a page request without a session goes: the sign-in page, then back. (Absolute, as
 * Next.js requires of a proxy's redirect; it turns a same-origin one back into a path.)
 */
function signInRedirect(url: URL): Response {
  const target = new URL("/login", url);
  const back = url.pathname + url.search;
  if (back !== "/") target.searchParams.set("next", back);
  const headers = new Headers({ location: target.href, "cache-control": "no-store" });
  applySecurityHeaders(headers, API_POLICY);
  return new Response(null, { status: 303, headers });
}

export async function guardRequest(req: Request, settings: AccessSettings = accessSettings(), now: number = Date.now()): Promise<GuardResult> {
  const url = new URL(req.url);
  const method = req.method.toUpperCase();
  const host = req.headers.get("host") ?? url.host;
  const refusal = checkRequest({ method, pathname: url.pathname, host, headers: req.headers }, settings);
  if (refusal) return { kind: "refuse", response: refusalResponse(url.pathname, refusal) };
  const https = isHttps(req.headers, settings);
  if (settings.password === null || isPublicPath(method, url.pathname)) return { kind: "pass", https };
  if (await isAuthenticated(req.headers, settings, now)) return { kind: "pass", https };
  if (!url.pathname.startsWith("/api/") && (method === "GET" || method === "HEAD")) return { kind: "refuse", response: signInRedirect(url) };
  return {
    kind: "refuse",
    response: refusalResponse(
      url.pathname,
      { status: 401, code: "UNAUTHENTICATED", message: "Sign in at /login, or send an API token as \"Authorization: Bearer <token>\"." },
      { "www-authenticate": 'Bearer realm="tidecast"' },
    ),
  };
}
