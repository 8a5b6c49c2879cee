import { describe, expect, it } from "vitest";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { config as proxyConfig } from "@/proxy";

describe("the proxy's matcher", () => {
  it("covers every path except exactly the upload route, which guards itself", () => {
    const matches = (url: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url });
    expect(matches("/api/datasets")).toBe(false);
    for (const url of ["/", "/login", "/series/3", "/api/runs", "/api/datasets/1", "/api/datasets/sample", "/api/datasets/1/forecast.csv", "/api/session", "/_next/static/chunks/x.js", "/favicon.ico", "/api/datasets/"]) {
      expect(matches(url), url).toBe(true);
    }
  });
});
