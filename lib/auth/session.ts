import crypto from "node:crypto";

/**
 * Sign-in sessions: a signed, stateless cookie. Why stateless: the proxy checks a session on every
 * page and API request, and a stored session would put a database read in front of each of them
 * (and a table on the data layer being ported to PostgreSQL). The cookie holds an expiry and a
 * random id, signed with HMAC-SHA256 under a key derived from the password AND a server secret:
 * - changing TIDECAST_PASSWORD or the secret signs every session out at once;
 * - a stolen cookie does not let anyone test password guesses offline (the secret is not in it);
 * - nobody can mint a cookie without the secret.
 * The price: "Sign out" clears the cookie in that browser but cannot revoke a copy of it before
 * it expires (SESSION_DAYS); rotate TIDECAST_SECRET or the password to revoke every session.
 */
export const SESSION_COOKIE = "tidecast_session";
export const SESSION_DAYS = 30;
const VERSION = "v1";

/** The HMAC key of sessions for this password and server secret. */
export function sessionKey(password: string, secret: string): Buffer {
  return crypto.createHmac("sha256", secret).update(`tidecast-session\0${password}`).digest();
}

function sign(key: Buffer, payload: string): string {
  return crypto.createHmac("sha256", key).update(payload).digest("base64url");
}

/** A new session cookie value, valid until now + SESSION_DAYS. */
export function issueSession(key: Buffer, now: number, id: string = crypto.randomBytes(16).toString("base64url")): string {
  const payload = `${VERSION}.${now + SESSION_DAYS * 86_400_000}.${id}`;
  return `${payload}.${sign(key, payload)}`;
}

/** Whether `value` is a session this key signed and that has not expired at `now`. */
export function verifySession(value: string | undefined, key: Buffer, now: number): boolean {
  if (!value || value.length > 200) return false;
  const parts = value.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) return false;
  const expires = Number(parts[1]);
  if (!Number.isSafeInteger(expires) || expires <= now) return false;
  return safeEqual(sign(key, parts.slice(0, 3).join(".")), parts[3]);
}

/** Constant-time equality of two strings (of any lengths: both are hashed first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a).digest();
  const hb = crypto.createHash("sha256").update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Whether a submitted password is the configured one, in constant time. */
export function passwordMatches(submitted: string, password: string): boolean {
  return safeEqual(submitted, password);
}
