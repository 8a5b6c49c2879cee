import { defineConfig } from "vitest/config";
import path from "node:path";

// Vitest 5's reporter calls Map.groupBy (Node 21+) when it prints a failure; on Node 20 it would
// crash instead of showing the failing assertion. A faithful polyfill keeps failures readable.
if (typeof (Map as { groupBy?: unknown }).groupBy !== "function") {
  Object.defineProperty(Map, "groupBy", {
    configurable: true,
    writable: true,
    value<K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> {
      const groups = new Map<K, T[]>();
      let i = 0;
      for (const item of items) {
        const k = key(item, i++);
        const group = groups.get(k);
        if (group) group.push(item);
        else groups.set(k, [item]);
      }
      return groups;
    },
  });
}

// The tests that use a database run once per database, with the same assertions: the project
// sets TIDECAST_TEST_DATABASE, which tests/helpers/database.ts reads. `*.sqlite.test.ts` and
// `*.postgresql.test.ts` are about one database only.
const DATABASE_TESTS = ["tests/integration/**/*.test.ts", "tests/unit/api/**/*.test.ts", "tests/unit/export/routes.test.ts"];

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: "unit", include: ["tests/unit/**/*.test.ts"], exclude: DATABASE_TESTS } },
      {
        test: {
          name: "sqlite",
          include: DATABASE_TESTS,
          exclude: ["**/*.postgresql.test.ts"],
          env: { TIDECAST_TEST_DATABASE: "sqlite" },
        },
      },
      {
        test: {
          name: "postgresql",
          include: DATABASE_TESTS,
          exclude: ["**/*.sqlite.test.ts"],
          env: { TIDECAST_TEST_DATABASE: "postgresql" },
          // One throwaway cluster for the whole run, stopped at the end (tests/helpers/postgres-setup.ts).
          globalSetup: ["tests/helpers/postgres-setup.ts"],
        },
      },
    ],
  },
});
