import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { TEST_DATABASE, databasePerTest } from "../helpers/database";
import { ApiTokenError, createApiToken, isApiToken, listApiTokens, revokeApiToken } from "@/lib/auth/tokens";
import { guardRequest } from "@/lib/auth/guard";
import { issueSession, sessionKey } from "@/lib/auth/session";
import { accessSettings } from "@/lib/auth/settings";

const t = databasePerTest();

describe(`API tokens on ${TEST_DATABASE}`, () => {
  it("stores only the SHA-256 of a token, accepts it until it is revoked", async () => {
    const { token, info } = await createApiToken(t.db, "ci-bot");
    expect(token).toMatch(/^tc_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({ name: "ci-bot", prefix: token.slice(0, 8) });
    const rows = await t.db.all<Record<string, unknown>>(`SELECT * FROM "ApiToken"`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0].hash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(await isApiToken(t.db, token)).toBe(true);
    expect(await isApiToken(t.db, token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).toBe(false);
    expect((await listApiTokens(t.db)).map((t) => t.name)).toEqual(["ci-bot"]);
    expect(await revokeApiToken(t.db, "ci-bot")).toBe(true);
    expect(await isApiToken(t.db, token)).toBe(false);
    expect(await revokeApiToken(t.db, "ci-bot")).toBe(false);
  });

  it("refuses a bad or taken name", async () => {
    await createApiToken(t.db, "taken");
    await expect(createApiToken(t.db, "taken")).rejects.toBeInstanceOf(ApiTokenError);
    await expect(createApiToken(t.db, "has space")).rejects.toBeInstanceOf(ApiTokenError);
    await expect(createApiToken(t.db, "")).rejects.toBeInstanceOf(ApiTokenError);
  });
});

describe(`guardRequest with a password on ${TEST_DATABASE}`, () => {
  const env = { TIDECAST_PASSWORD: "pw", TIDECAST_SECRET: "secret", HOST: "127.0.0.1" };
  const settings = accessSettings(env);
  const get = (path: string, headers: Record<string, string> = {}) => new Request(`http://127.0.0.1:3000${path}`, { headers: { host: "127.0.0.1:3000", ...headers } });
  const NOW = Date.now();

  it("sends pages without a session to /login, and answers the API 401 UNAUTHENTICATED", async () => {
    const page = await guardRequest(get("/series/3?run=2"), settings, NOW);
    expect(page.kind).toBe("refuse");
    if (page.kind !== "refuse") return;
    expect(page.response.status).toBe(303);
    expect(new URL(page.response.headers.get("location")!).pathname + new URL(page.response.headers.get("location")!).search).toBe("/login?next=%2Fseries%2F3%3Frun%3D2");
    const api = await guardRequest(get("/api/runs"), settings, NOW);
    if (api.kind !== "refuse") throw new Error("expected a refusal");
    expect(api.response.status).toBe(401);
    expect(await api.response.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    expect(api.response.headers.get("x-frame-options")).toBe("DENY");
  });

  it("lets a session cookie or a live token through, not an expired cookie or a revoked token", async () => {
    const cookie = issueSession(sessionKey("pw", "secret"), NOW);
    expect((await guardRequest(get("/", { cookie: `other=1; tidecast_session=${cookie}` }), settings, NOW)).kind).toBe("pass");
    expect((await guardRequest(get("/", { cookie: `tidecast_session=${cookie}` }), settings, NOW + 31 * 86_400_000)).kind).toBe("refuse");
    expect((await guardRequest(get("/", { cookie: `tidecast_session=${issueSession(sessionKey("old", "secret"), NOW)}` }), settings, NOW)).kind).toBe("refuse");
    const { token } = await createApiToken(t.db, "reader");
    expect((await guardRequest(get("/api/runs", { authorization: `Bearer ${token}` }), settings, NOW)).kind).toBe("pass");
    await revokeApiToken(t.db, "reader");
    expect((await guardRequest(get("/api/runs", { authorization: `Bearer ${token}` }), settings, NOW)).kind).toBe("refuse");
  });

  it("keeps /login and the sign-in call public, and the host and origin rules before everything", async () => {
    expect((await guardRequest(get("/login"), settings, NOW)).kind).toBe("pass");
    const post = new Request("http://127.0.0.1:3000/api/session", { method: "POST", headers: { host: "127.0.0.1:3000", origin: "http://evil.example", "content-type": "application/json" }, body: "{}" });
    const refused = await guardRequest(post, settings, NOW);
    expect(refused.kind === "refuse" && refused.response.status).toBe(403);
    const rebound = await guardRequest(get("/login", { host: "evil.example:3000" }), settings, NOW);
    expect(rebound.kind === "refuse" && rebound.response.status).toBe(421);
  });
});
