import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and Wasm-backed server packages stay outside the bundle and load from node_modules.
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "@prisma/client", "pg", "pg-copy-streams", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typedRoutes: false,
  experimental: {
    // The proxy (proxy.ts) sees a copy of each request body that Next.js buffers up to this size;
    // JSON bodies are capped at 64 KB, and the one large body, the upload, bypasses the proxy.
    proxyClientMaxBodySize: "1mb",
  },
};

export default nextConfig;
