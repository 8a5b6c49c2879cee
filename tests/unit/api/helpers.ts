import { afterAll } from "vitest";
import { closeDb } from "@/lib/db/client";
import { createTestDatabase } from "../../helpers/database";

/**
 * Points this test file at a fresh, migrated database (a real SQLite file or PostgreSQL database,
 * per the vitest project; not a mock), dropped after the file's tests.
 */
export async function useTempDatabase(): Promise<string> {
  const t = await createTestDatabase();
  process.env.DATABASE_URL = t.url;
  afterAll(async () => {
    await closeDb();
    await t.drop();
  });
  return t.url;
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
