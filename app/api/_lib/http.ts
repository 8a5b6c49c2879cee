import { NextResponse } from "next/server";
import { JSON_BODY_LIMIT, jsonTooLarge } from "@/lib/auth/policy";

/** The one error shape of the API: `{ error: { code, message, details } }`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export function jsonError(status: number, code: string, message: string, details: Record<string, unknown> = {}): NextResponse<ApiErrorBody> {
  return NextResponse.json({ error: { code, message, details } }, { status });
}

/** JSON with bigint-safe serialisation (Prisma returns BIGINT columns as bigint). */
export function jsonOk(body: unknown, status = 200): NextResponse {
  return new NextResponse(JSON.stringify(body, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v)), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** A positive integer id from a route parameter, or null. */
export function parseId(param: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(param)) return null;
  return Number(param);
}

/** The context Next.js passes to a route handler under an `[id]` segment. */
export type IdContext = { params: Promise<{ id: string }> };

/** The route's `[id]` as a positive integer, or the 400 answer naming what kind of id it should be. */
export async function routeId(ctx: IdContext, what: string): Promise<number | NextResponse<ApiErrorBody>> {
  const { id: raw } = await ctx.params;
  const id = parseId(raw);
  return id === null ? jsonError(400, "INVALID_ID", `"${raw}" is not a ${what} id.`, { id: raw }) : id;
}

export function notFound(what: string, id: string | number): NextResponse<ApiErrorBody> {
  return jsonError(404, "NOT_FOUND", `${what} ${id} does not exist.`, { id });
}

/**
 * Reads a JSON body of at most JSON_BODY_LIMIT bytes (counted as it streams, whatever the
 * Content-Length says), answering 413 when longer and 400 with a clear message when not JSON.
 */
export async function readJson(req: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: NextResponse<ApiErrorBody> }> {
  const text = await readLimited(req, JSON_BODY_LIMIT);
  if (text === null) {
    const r = jsonTooLarge();
    return { ok: false, response: jsonError(r.status, r.code, r.message, r.details) };
  }
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, response: jsonError(400, "INVALID_JSON", `The request body is not valid JSON: ${(err as Error).message}`) };
  }
}

/** The body as text, or null as soon as it passes `limit` bytes (the rest is never read). */
async function readLimited(req: Request, limit: number): Promise<string | null> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
