import pg from "pg";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../lib/db/migrate";
import { startPostgres } from "../../scripts/postgres-server";

/**
 * Global setup of the vitest "postgresql" project: ONE throwaway cluster for the whole run
 * (stopped at the end, failed tests or not), with a migrated template database that each test
 * database is created from (CREATE DATABASE … TEMPLATE: a fresh database in milliseconds).
 * TIDECAST_TEST_POSTGRES_URL uses an existing server instead of starting one.
 */
declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
    postgresTemplate: string;
  }
}

export const TEMPLATE = "tidecast_template";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TIDECAST_TEST_POSTGRES_URL;
  const server = external ? null : await startPostgres();
  const url = external ?? server!.url;
  const template = `${TEMPLATE}_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
    await admin.query(`CREATE DATABASE "${template}" TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(url);
  templateUrl.pathname = `/${template}`;
  await applyMigrations(templateUrl.toString());
  project.provide("postgresUrl", url);
  project.provide("postgresTemplate", template);
  return async () => {
    if (server) {
      server.stop();
      return;
    }
    const cleanup = new pg.Client({ connectionString: url });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).finally(() => cleanup.end());
  };
}
