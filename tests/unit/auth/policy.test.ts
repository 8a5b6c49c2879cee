import { describe, expect, it } from "vitest";
import { checkHost, checkJsonBody, checkOrigin, isHttps, isPublicPath } from "@/lib/auth/policy";
import { accessSettings, hostName } from "@/lib/auth/settings";

const settings = accessSettings({ HOST: "127.0.0.1", TIDECAST_ALLOWED_HOSTS: "tidecast.example.com, Forecasts.Example.org:8443" });
const h = (init: Record<string, string>) => new Headers(init);

describe("host names (DNS rebinding)", () => {
  it("reads the name out of a Host header", () => {
    expect(hostName("Example.COM:3000")).toBe("example.com");
    expect(hostName("[::1]:3000")).toBe("::1");
    expect(hostName("localhost")).toBe("localhost");
  });

  it("answers loopback names and the configured ones, refuses any other with 421", () => {
    for (const ok of ["localhost:3000", "127.0.0.1:3000", "127.1.2.3", "[::1]:3000", "app.localhost", "tidecast.example.com", "forecasts.example.org:8443"]) {
      expect(checkHost(ok, settings), ok).toBeNull();
    }
    for (const bad of ["evil.example:3000", "127.0.0.1.evil.example", "localhost.evil.example", "192.168.1.20:3000", ""]) {
      expect(checkHost(bad, settings), bad).toMatchObject({ status: 421, code: "MISDIRECTED_REQUEST" });
    }
  });

  it("adds a specific HOST to the allowed names", () => {
    expect(checkHost("192.168.1.20:3000", accessSettings({ HOST: "192.168.1.20" }))).toBeNull();
  });
});

describe("cross-site requests", () => {
  it("lets reads through from anywhere", () => {
    expect(checkOrigin("GET", "localhost:3000", h({ origin: "http://evil.example", "sec-fetch-site": "cross-site" }))).toBeNull();
  });

  it("refuses a state-changing request another site's page makes", () => {
    const cases: Record<string, string>[] = [
      { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "http://evil.example" }, // an older browser without Fetch Metadata
      { origin: "null" }, // a sandboxed frame or a data: page
      { origin: "http://localhost:3001" }, // another port is another origin
    ];
    for (const headers of cases) {
      for (const method of ["POST", "PATCH", "DELETE", "PUT"]) {
        expect(checkOrigin(method, "localhost:3000", h(headers)), JSON.stringify(headers)).toMatchObject({ status: 403, code: "CROSS_SITE_REQUEST" });
      }
    }
  });

  it("accepts the app's own pages and clients that are not browsers", () => {
    expect(checkOrigin("POST", "localhost:3000", h({ origin: "http://localhost:3000", "sec-fetch-site": "same-origin" }))).toBeNull();
    expect(checkOrigin("DELETE", "localhost:3000", h({}))).toBeNull(); // curl
    expect(checkOrigin("POST", "localhost:3000", h({ "sec-fetch-site": "none" }))).toBeNull();
  });
});

describe("JSON bodies", () => {
  it("needs application/json on a JSON route when there is a body", () => {
    expect(checkJsonBody("POST", "/api/series/1/runs", h({ "content-type": "text/plain", "content-length": "2" }))).toMatchObject({ status: 415 });
    expect(checkJsonBody("POST", "/api/series/1/runs", h({ "content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked" }))).toMatchObject({ status: 415 });
    expect(checkJsonBody("PATCH", "/api/schedules/1", h({ "content-type": "application/json; charset=utf-8", "content-length": "20" }))).toBeNull();
  });

  it("lets bodiless POSTs, reads, pages and the upload through", () => {
    expect(checkJsonBody("POST", "/api/runs/1/cancel", h({ "content-length": "0" }))).toBeNull();
    expect(checkJsonBody("POST", "/api/runs/1/cancel", h({}))).toBeNull();
    expect(checkJsonBody("GET", "/api/runs", h({ "content-type": "text/plain", "content-length": "3" }))).toBeNull();
    expect(checkJsonBody("POST", "/api/datasets", h({ "content-type": "multipart/form-data; boundary=x", "content-length": "300" }))).toBeNull();
  });

  it("refuses a declared body over 64 KB with 413", () => {
    expect(checkJsonBody("POST", "/api/series/1/runs", h({ "content-type": "application/json", "content-length": String(64 * 1024 + 1) }))).toMatchObject({ status: 413, code: "BODY_TOO_LARGE" });
  });
});

describe("public paths and https", () => {
  it("leaves only sign-in and static assets public", () => {
    expect(isPublicPath("GET", "/login")).toBe(true);
    expect(isPublicPath("POST", "/api/session")).toBe(true);
    expect(isPublicPath("GET", "/_next/static/chunks/a.js")).toBe(true);
    expect(isPublicPath("POST", "/_next/static/chunks/a.js")).toBe(false);
    for (const p of ["/", "/series/1", "/api/datasets", "/api/runs", "/login/x", "/api/session/x"]) expect(isPublicPath("GET", p), p).toBe(false);
  });

  it("believes X-Forwarded-Proto only from a trusted proxy", () => {
    expect(isHttps(h({ "x-forwarded-proto": "https" }), settings)).toBe(false);
    expect(isHttps(h({ "x-forwarded-proto": "https" }), accessSettings({ TIDECAST_TRUST_PROXY: "1" }))).toBe(true);
    expect(isHttps(h({ "x-forwarded-proto": "http" }), accessSettings({ TIDECAST_TRUST_PROXY: "1" }))).toBe(false);
  });
});
