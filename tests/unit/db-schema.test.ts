import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { SOURCE, TARGET, postgresSchema } from "../../scripts/db-schema";

describe("the one data model", () => {
  it("prisma/postgresql/schema.prisma is prisma/schema.prisma for PostgreSQL (run `npm run db:schema` after editing the model)", () => {
    const source = fs.readFileSync(SOURCE, "utf8");
    const target = fs.readFileSync(TARGET, "utf8");
    expect(target).toBe(postgresSchema(source));
    // The copy differs only in its provider and the header that says it is generated.
    const models = (text: string) => text.slice(text.indexOf("/// One upload target"));
    expect(models(target)).toBe(models(source));
    expect(target).toMatch(/provider = "postgresql"/);
  });

  it("each database has a migration for every table of the model", () => {
    const tables = [...fs.readFileSync(SOURCE, "utf8").matchAll(/^model (\w+) \{/gm)].map((m) => m[1]).sort();
    for (const dir of ["prisma/migrations", "prisma/postgresql/migrations"]) {
      const sql = fs
        .readdirSync(dir)
        .filter((d) => fs.existsSync(`${dir}/${d}/migration.sql`))
        .map((d) => fs.readFileSync(`${dir}/${d}/migration.sql`, "utf8"))
        .join("\n");
      const created = [...sql.matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]).sort();
      expect(created, dir).toEqual(tables);
    }
  });
});
