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
      // A SQLite table rebuild (Prisma's "RedefineTables": CREATE TABLE "new_X", copy, rename)
      // creates no table of its own.
      const created = [...sql.matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]).filter((name) => !name.startsWith("new_")).sort();
      expect(created, dir).toEqual(tables);
    }
  });

  it("both databases have the same migration folders after PostgreSQL's init (which covers SQLite's earlier ones), named <timestamp>_<name>", () => {
    const folders = (dir: string) => fs.readdirSync(dir).filter((d) => fs.existsSync(`${dir}/${d}/migration.sql`)).sort();
    const sqlite = folders("prisma/migrations"), postgres = folders("prisma/postgresql/migrations");
    for (const name of [...sqlite, ...postgres]) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    expect(postgres[0]).toMatch(/_init$/);
    expect(postgres.slice(1)).toEqual(sqlite.filter((name) => name > postgres[0]));
    expect(postgres.slice(1)).not.toHaveLength(0);
  });

  it("a SQLite table rebuild keeps WITHOUT ROWID (Prisma's migrate diff drops it: restore it by hand)", () => {
    const dir = "prisma/migrations";
    const withoutRowid = new Map<string, boolean>();
    const rebuilt: string[] = [];
    for (const name of fs.readdirSync(dir).filter((d) => fs.existsSync(`${dir}/${d}/migration.sql`)).sort()) {
      const sql = fs.readFileSync(`${dir}/${name}/migration.sql`, "utf8");
      for (const m of sql.matchAll(/CREATE TABLE "(\w+)" \(([\s\S]*?)\n\)( WITHOUT ROWID)?;/g)) {
        const table = m[1].replace(/^new_/, "");
        if (m[1].startsWith("new_")) {
          expect(m[3] !== undefined, `${name}: "${m[1]}" rebuilds "${table}"`).toBe(withoutRowid.get(table));
          rebuilt.push(table);
        }
        withoutRowid.set(table, m[3] !== undefined);
      }
    }
    expect(rebuilt).toContain("Point");
    expect(withoutRowid.get("Point")).toBe(true);
  });
});
