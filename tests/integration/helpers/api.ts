import { GET as getRunRoute } from "../../../app/api/runs/[id]/route";
import { POST as cancelRoute } from "../../../app/api/runs/[id]/cancel/route";
import type { RunView } from "../../../lib/runs/views";

export const ctx = (id: number | string) => ({ params: Promise.resolve({ id: String(id) }) });

/** GET /api/runs/{id} through the route handler, against the real database. */
export async function apiRun(id: number): Promise<RunView> {
  const res = await getRunRoute(new Request(`http://localhost/api/runs/${id}`), ctx(id));
  if (res.status !== 200) throw new Error(`GET /api/runs/${id}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { run: RunView }).run;
}

export async function apiCancel(id: number): Promise<{ status: number; run: RunView }> {
  const res = await cancelRoute(new Request(`http://localhost/api/runs/${id}/cancel`, { method: "POST" }), ctx(id));
  return { status: res.status, run: ((await res.json()) as { run: RunView }).run };
}
