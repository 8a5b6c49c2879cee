import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "../api/helpers";
import { sqlite } from "@/lib/db/client";
import { ApiTokenError, createApiToken, isApiToken, listApiTokens, revokeApiToken } from "@/lib/auth/tokens";
import { guardRequest } from "@/lib/auth/guard";
import { issueSession, sessionKey } from "@/lib/auth/session";
import { accessSettings } from "@/lib/auth/settings";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { config as proxyConfig } from "@/proxy";

beforeAll(() => {
  useTempDatabase();
});

describe("API tokens", () => {
  it("stores only the SHA-256 of a token, accepts it until it is revoked", async () => {
    const { token, info } = await createApiToken("ci-bot");
    expect(token).toMatch(/^tc_[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({ name: "ci-bot", prefix: token.slice(0, 8) });
    const rows = sqlite().prepare(`SELECT * FROM "ApiToken"`).all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0].hash).toBe(crypto.createHash("sha256").update(token).digest("hex"));
    expect(await isApiToken(token)).toBe(true);
    expect(await isApiToken(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"))).toBe(false);
    expect((await listApiTokens()).map((t) => t.name)).toEqual(["ci-bot"]);
    expect(await revokeApiToken("ci-bot")).toBe(true);
    expect(await isApiToken(token)).toBe(false);
    expect(await revokeApiToken("ci-bot")).toBe(false);
  });

  it("refuses a bad or taken name", async () => {
    await createApiToken("taken");
    await expect(createApiToken("taken")).rejects.toBeInstanceOf(ApiTokenError);
    await expect(createApiToken("has space")).rejects.toBeInstanceOf(ApiTokenError);
    await expect(createApiToken("")).rejects.toBeInstanceOf(ApiTokenError);
  });
});

describe("guardRequest with a password", () => {
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
    const { token } = await createApiToken("reader");
    expect((await guardRequest(get("/api/runs", { authorization: `Bearer ${token}` }), settings, NOW)).kind).toBe("pass");
    await revokeApiToken("reader");
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

describe("the proxy's matcher", () => {
  it("covers every path except exactly the upload route, which guards itself", () => {
    const matches = (url: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url });
    expect(matches("/api/datasets")).toBe(false);
    for (const url of ["/", "/login", "/series/3", "/api/runs", "/api/datasets/1", "/api/datasets/sample", "/api/datasets/1/forecast.csv", "/api/session", "/_next/static/chunks/x.js", "/favicon.ico", "/api/datasets/"]) {
      expect(matches(url), url).toBe(true);
    }
  });
});
