import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { SESSION_DAYS, issueSession, passwordMatches, safeEqual, sessionKey, verifySession } from "@/lib/auth/session";

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

describe("session cookies", () => {
  const key = sessionKey("correct horse", "server-secret");

  it("verifies what it issued until it expires, SESSION_DAYS later", () => {
    const cookie = issueSession(key, NOW);
    expect(verifySession(cookie, key, NOW)).toBe(true);
    expect(verifySession(cookie, key, NOW + SESSION_DAYS * DAY - 1)).toBe(true);
    expect(verifySession(cookie, key, NOW + SESSION_DAYS * DAY)).toBe(false);
  });

  it("is an HMAC-SHA256 of version, expiry and id under a key of the secret and the password", () => {
    const cookie = issueSession(key, NOW, "abc");
    const expires = NOW + SESSION_DAYS * DAY;
    // Recomputed independently with node:crypto.
    const k = crypto.createHmac("sha256", "server-secret").update("tidecast-session\0correct horse").digest();
    const mac = crypto.createHmac("sha256", k).update(`v1.${expires}.abc`).digest("base64url");
    expect(cookie).toBe(`v1.${expires}.abc.${mac}`);
  });

  it("refuses a cookie after the password or the secret changes, or when any part is altered", () => {
    const cookie = issueSession(key, NOW);
    expect(verifySession(cookie, sessionKey("new password", "server-secret"), NOW)).toBe(false);
    expect(verifySession(cookie, sessionKey("correct horse", "rotated"), NOW)).toBe(false);
    const [v, exp, id, mac] = cookie.split(".");
    expect(verifySession([v, String(Number(exp) + DAY), id, mac].join("."), key, NOW)).toBe(false); // extended expiry
    expect(verifySession([v, exp, id + "x", mac].join("."), key, NOW)).toBe(false);
    expect(verifySession([v, exp, id, mac.slice(0, -1) + (mac.endsWith("A") ? "B" : "A")].join("."), key, NOW)).toBe(false);
    for (const bad of [undefined, "", "v1", "v2." + cookie.slice(3), cookie + ".x", "x".repeat(500)]) expect(verifySession(bad, key, NOW)).toBe(false);
  });

  it("compares passwords exactly, whatever their lengths", () => {
    expect(passwordMatches("correct horse", "correct horse")).toBe(true);
    expect(passwordMatches("correct hors", "correct horse")).toBe(false);
    expect(passwordMatches("correct horse ", "correct horse")).toBe(false);
    expect(passwordMatches("", "correct horse")).toBe(false);
    expect(safeEqual("é", "é")).toBe(true);
  });
});
