import { NextResponse, type NextRequest } from "next/server";
import { guardRequest } from "./lib/auth/guard";
import { API_POLICY, applySecurityHeaders, newNonce, pagePolicy } from "./lib/auth/headers";

/**
 * Runs before every route (Next.js 16 proxy, Node.js runtime): the access rules of
 * lib/auth/guard.ts, then the security headers, with a fresh CSP nonce for pages (Next.js reads
 * it from the request's Content-Security-Policy and puts it on its scripts).
 *
 * The upload, POST /api/datasets, is left out by the matcher: Next.js copies the body of every
 * request a proxy sees into memory (up to experimental.proxyClientMaxBodySize, then cut short),
 * which would defeat the streamed upload limit. That route runs guardRequest itself.
 */
export async function proxy(request: NextRequest): Promise<Response> {
  const verdict = await guardRequest(request);
  if (verdict.kind === "refuse") return verdict.response;
  if (request.nextUrl.pathname.startsWith("/api/")) {
    const res = NextResponse.next();
    applySecurityHeaders(res.headers, API_POLICY);
    return res;
  }
  const nonce = newNonce();
  const policy = pagePolicy(nonce, verdict.https, process.env.NODE_ENV === "development");
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("content-security-policy", policy);
  requestHeaders.set("x-nonce", nonce);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  applySecurityHeaders(res.headers, policy);
  return res;
}

export const config = {
  // Everything except exactly /api/datasets (the upload; its route guards itself).
  matcher: ["/((?!api/datasets$).*)"],
};
