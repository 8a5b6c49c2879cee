import { hostName, isLoopbackName, type AccessSettings } from "./settings";

/**
 * The rules every request passes before any route runs, with or without a password (the
 * proxy, app/proxy.ts, applies them; so does the upload route, which the proxy leaves alone so
 * that its body streams). Pure: a method, a path and headers in, a verdict out.
 */
export interface RequestView {
  method: string;
  pathname: string;
  /** the Host header (or, where a request has none, the URL's host) */
  host: string;
  headers: Headers;
}

export interface Refusal {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export const JSON_BODY_LIMIT = 64 * 1024;
/** The routes whose body is a multipart upload rather than JSON (they check their own type). */
export const UPLOAD_PATHS = new Set(["/api/datasets"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** DNS rebinding: the Host must be a loopback name or one this server was configured with. */
export function checkHost(raw: string, settings: AccessSettings): Refusal | null {
  const name = hostName(raw);
  if (name !== "" && (isLoopbackName(name) || settings.allowedHosts.has(name))) return null;
  return {
    status: 421,
    code: "MISDIRECTED_REQUEST",
    message: `This server does not answer to the host name "${raw}". Add it to TIDECAST_ALLOWED_HOSTS if that is the name users type.`,
    details: { host: raw },
  };
}

/**
 * Cross-site request forgery: a state-changing request from a browser must come from a page of
 * this app. Browsers send Sec-Fetch-Site (and Origin) on every POST/PUT/PATCH/DELETE; clients
 * that send neither (curl, the CLI, scripts) are not browsers and cannot carry a victim's cookie.
 */
export function checkOrigin(method: string, host: string, headers: Headers): Refusal | null {
  if (SAFE_METHODS.has(method)) return null;
  const site = headers.get("sec-fetch-site");
  const origin = headers.get("origin");
  const refuse = (why: string): Refusal => ({
    status: 403,
    code: "CROSS_SITE_REQUEST",
    message: `Refused a ${method} request from another site (${why}): state-changing requests must come from this app's own pages.`,
    details: { origin, secFetchSite: site },
  });
  if (site !== null && site !== "same-origin" && site !== "none") return refuse(`Sec-Fetch-Site: ${site}`);
  if (origin !== null) {
    let originHost: string | null = null;
    try {
      originHost = origin === "null" ? null : new URL(origin).host.toLowerCase();
    } catch {
      originHost = null;
    }
    if (originHost === null || originHost !== host.trim().toLowerCase()) return refuse(`Origin: ${origin}`);
  }
  return null;
}

function hasBody(headers: Headers): boolean {
  const length = headers.get("content-length");
  return headers.has("transfer-encoding") || (length !== null && length.trim() !== "0");
}

/**
 * JSON routes take only `application/json` bodies (a text/plain or form body is what a
 * cross-site form or no-preflight fetch sends), at most JSON_BODY_LIMIT bytes when declared.
 * Bodiless POSTs (cancel, make-current, sample) need no type.
 */
export function checkJsonBody(method: string, pathname: string, headers: Headers): Refusal | null {
  if (SAFE_METHODS.has(method) || !pathname.startsWith("/api/") || UPLOAD_PATHS.has(pathname) || !hasBody(headers)) return null;
  const type = (headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    return {
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: `Send the body as JSON with "Content-Type: application/json" (got "${type || "none"}").`,
      details: { contentType: type },
    };
  }
  const length = Number(headers.get("content-length") ?? "0");
  if (length > JSON_BODY_LIMIT) return jsonTooLarge(length);
  return null;
}

export function jsonTooLarge(bytes?: number): Refusal {
  return {
    status: 413,
    code: "BODY_TOO_LARGE",
    message: `JSON bodies are limited to ${JSON_BODY_LIMIT / 1024} KB.`,
    details: { limit: JSON_BODY_LIMIT, ...(bytes === undefined ? {} : { bytes }) },
  };
}

/** Paths anyone may reach with a password set: the sign-in page and call, and static assets. */
export function isPublicPath(method: string, pathname: string): boolean {
  if (pathname === "/login" || pathname === "/api/session") return true;
  return (SAFE_METHODS.has(method) && pathname.startsWith("/_next/static/")) || pathname === "/favicon.ico";
}

/** The checks that do not depend on who is calling, in order. */
export function checkRequest(req: RequestView, settings: AccessSettings): Refusal | null {
  return checkHost(req.host, settings) ?? checkOrigin(req.method, req.host, req.headers) ?? checkJsonBody(req.method, req.pathname, req.headers);
}

/**
 * Whether the browser reached us over https: `next start` serves plain http, so only a reverse
 * proxy that we were told to trust (TIDECAST_TRUST_PROXY) can say so, with X-Forwarded-Proto.
 */
export function isHttps(headers: Headers, settings: AccessSettings): boolean {
  if (!settings.trustProxy) return false;
  return (headers.get("x-forwarded-proto") ?? "").split(",")[0].trim().toLowerCase() === "https";
}
