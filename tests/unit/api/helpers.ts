import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { applyMigrationsTo } from "@/lib/db/migrate";

/** Points this test file at a fresh, migrated SQLite file (a real database, not a mock). */
export function useTempDatabase(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-test-"));
  const file = path.join(dir, "test.db");
  applyMigrationsTo(file);
  process.env.DATABASE_URL = `file:${file}`;
  return file;
}

/**
 * A JSON payload of the API under test. Tests read it by property paths (`body.series[0].id`)
 * and assert the shape of what they read, so its values are typed loosely on purpose.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: deep reads of payloads whose shape each test asserts
export type Json = Record<string, any>;

export function multipart(fileName: string, content: string | Uint8Array<ArrayBuffer>, fields: Record<string, string> = {}): Request {
  const form = new FormData();
  form.append("file", new File([content], fileName, { type: "text/csv" }));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return new Request("http://localhost/api/datasets", { method: "POST", body: form });
}

export const ctx = (id: string | number) => ({ params: Promise.resolve({ id: String(id) }) });
