/**
 * `npm run db:schema`: writes prisma/postgresql/schema.prisma from prisma/schema.prisma.
 *
 * prisma/schema.prisma is the one data model (edit models there only). Prisma generates a client
 * per provider, so PostgreSQL needs a schema file of its own: the same models with
 * `provider = "postgresql"` and its own client output. This writes it; `--check` only says
 * whether it is up to date (a unit test runs that, so the two cannot drift apart); `--print FILE`
 * prints the copy of another schema file (the model before a change, for `prisma migrate diff`).
 */
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
export const SOURCE = path.join(root, "prisma", "schema.prisma");
export const TARGET = path.join(root, "prisma", "postgresql", "schema.prisma");

export function postgresSchema(source: string): string {
  const provider = /(datasource db \{[^}]*provider\s*=\s*)"sqlite"/;
  if (!provider.test(source)) throw new Error(`${SOURCE}: the datasource must say provider = "sqlite"`);
  const header =
    "// GENERATED from prisma/schema.prisma by `npm run db:schema`: do not edit. The data model lives\n" +
    "// in prisma/schema.prisma; this copy only changes the provider (a Prisma client is generated per\n" +
    "// provider) and the client's output folder.\n\n";
  return header + source.replace(provider, '$1"postgresql"');
}

function main(): void {
  // --print FILE: the PostgreSQL copy of another schema file (an older model, for migrate diff).
  const print = process.argv.indexOf("--print");
  if (print !== -1) {
    process.stdout.write(postgresSchema(fs.readFileSync(process.argv[print + 1], "utf8")));
    return;
  }
  const expected = postgresSchema(fs.readFileSync(SOURCE, "utf8"));
  const current = fs.existsSync(TARGET) ? fs.readFileSync(TARGET, "utf8") : null;
  if (process.argv.includes("--check")) {
    if (current !== expected) {
      process.stderr.write(`${path.relative(root, TARGET)} is out of date: run "npm run db:schema".\n`);
      process.exitCode = 1;
    }
    return;
  }
  fs.mkdirSync(path.dirname(TARGET), { recursive: true });
  fs.writeFileSync(TARGET, expected);
  process.stdout.write(`Wrote ${path.relative(root, TARGET)}.\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) main();
