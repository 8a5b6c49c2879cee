/**
 * Security headers of every response. Pages get a nonce-based Content-Security-Policy: Next.js
 * reads the nonce from the request's CSP header and puts it on its own inline and bundle scripts
 * (pages render dynamically, so each response has a fresh one). Style attributes (React's
 * `style={...}`) are allowed; style and script elements need the nonce or come from this origin.
 * API answers get a policy that allows nothing at all.
 */
export function pagePolicy(nonce: string, https: boolean, dev = false): string {
  return [
    "default-src 'self'",
    // `next dev` needs eval (React rebuilds server error stacks with it); a production build does not.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Record<string, string> = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
};

/** Sets the security headers (and `policy` as the CSP) on `headers`. */
export function applySecurityHeaders(headers: Headers, policy: string): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) headers.set(k, v);
  headers.set("Content-Security-Policy", policy);
}

export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}
