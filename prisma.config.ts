import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl } from "./lib/db/url";

// Prisma does not read .env when this file exists: DATABASE_URL comes from the environment,
// with the embedded default of lib/db/url.ts. Migrations run through the driver adapter (Wasm
// schema engine), so nothing is downloaded.
process.env.DATABASE_URL = databaseUrl();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    return new PrismaBetterSQLite3({ url: databaseUrl(), timeout: 15_000 });
  },
});
