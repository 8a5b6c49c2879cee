import { NextResponse } from "next/server";

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

/** Reads a JSON body, answering 400 with a clear message when it is not JSON. */
export async function readJson(req: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: NextResponse<ApiErrorBody> }> {
  const text = await req.text();
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, response: jsonError(400, "INVALID_JSON", `The request body is not valid JSON: ${(err as Error).message}`) };
  }
}
