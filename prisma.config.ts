import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "prisma/config";
import { migrationAdapter } from "./lib/db/prisma";
import { databaseFile, databaseKind, databaseUrl } from "./lib/db/url";

// Prisma does not read .env when this file exists: DATABASE_URL comes from the environment,
// with the embedded default of lib/db/url.ts. The URL picks the database: the schema (the one
// data model, with the provider's generator: see scripts/db-schema.ts), its migrations folder and
// the driver adapter the Prisma CLI runs migrations through (Wasm schema engine: nothing is
// downloaded).
const url = databaseUrl();
process.env.DATABASE_URL = url;
const postgres = databaseKind(url) === "postgresql";
if (!postgres) fs.mkdirSync(path.dirname(databaseFile(url)), { recursive: true }); // SQLite creates the file, not its folder

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres ? path.join("prisma", "postgresql", "schema.prisma") : path.join("prisma", "schema.prisma"),
  migrations: { path: postgres ? path.join("prisma", "postgresql", "migrations") : path.join("prisma", "migrations") },
  adapter: () => migrationAdapter(url),
});
