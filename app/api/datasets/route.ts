import { guardRequest } from "@/lib/auth/guard";
import { API_POLICY, applySecurityHeaders } from "@/lib/auth/headers";
import { db } from "@/lib/db/client";
import { listDatasets } from "@/lib/datasets/datasets";
import { IMPORT_MODES, type ImportMode } from "@/lib/datasets/import";
import { maxUploadBytes, refusalOf } from "@/lib/datasets/upload";
import type { ImportRequest } from "@/lib/imports/import";
import { importInThread } from "@/lib/imports/offload";
import { jsonError, jsonOk } from "../_lib/http";
import { readUpload } from "../_lib/multipart";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * This route is outside the proxy's matcher (see proxy.ts: the proxy would copy the upload into
 * memory), so it applies the same access check and headers itself, first thing.
 */
async function guarded(req: Request, handle: () => Promise<Response>): Promise<Response> {
  const verdict = await guardRequest(req);
  const res = verdict.kind === "refuse" ? verdict.response : await handle();
  applySecurityHeaders(res.headers, API_POLICY);
  return res;
}

/** GET /api/datasets: every dataset with its series. */
export async function GET(req: Request): Promise<Response> {
  return guarded(req, async () => jsonOk({ datasets: await listDatasets(db()) }));
}

function tooLarge(limit: number, bytes?: number): Response {
  return jsonError(413, "FILE_TOO_LARGE", `The upload is larger than the ${(limit / 1048576).toFixed(0)} MB limit (TIDECAST_MAX_UPLOAD_MB).`, {
    limit,
    ...(bytes === undefined ? {} : { bytes }),
  });
}

/** The import the form fields ask for (`name`, `mode`, `dryRun`), or the 400 that says what is wrong. */
function importRequest(fields: Record<string, string>, fileName: string): ImportRequest | Response {
  const name = fields.name?.trim() || undefined;
  const mode = (fields.mode?.trim() || "new") as ImportMode;
  if (!IMPORT_MODES.includes(mode)) {
    return jsonError(400, "INVALID_MODE", `mode must be "new" (a dataset of its own, the default) or "append" (into the dataset called name), not "${mode.slice(0, 40)}".`, { field: "mode" });
  }
  if (mode === "append" && !name) {
    return jsonError(400, "NAME_REQUIRED", 'mode=append needs the name of the dataset to append to, in the field "name".', { field: "name" });
  }
  const dry = (fields.dryRun ?? "").trim().toLowerCase();
  if (!["", "0", "1", "false", "true"].includes(dry)) return jsonError(400, "INVALID_DRY_RUN", `dryRun must be true or false, not "${dry.slice(0, 40)}".`, { field: "dryRun" });
  return { fileName, name, mode, dryRun: dry === "1" || dry === "true" };
}

/**
 * POST /api/datasets: multipart upload (field `file`; optional `name`, `mode` = new | append,
 * `dryRun`). 201 with the new dataset's series; 200 for an append or a dry run (nothing stored).
 * The body streams to a temporary file and is refused with 413 the moment it passes the limit,
 * with or without a Content-Length; the file is then parsed and stored in the import thread
 * (lib/imports), so the other requests are answered meanwhile.
 */
export async function POST(req: Request): Promise<Response> {
  return guarded(req, async () => {
    const limit = maxUploadBytes();
    const declared = Number(req.headers.get("content-length") ?? "0");
    if (declared > limit + 64 * 1024) return tooLarge(limit, declared);
    const type = req.headers.get("content-type") ?? "";
    if (!type.toLowerCase().startsWith("multipart/form-data")) {
      return jsonError(415, "UNSUPPORTED_MEDIA_TYPE", 'Send the CSV as multipart/form-data in a field named "file".', { contentType: type });
    }
    const outcome = await readUpload(req, { fileField: "file", limit });
    if (outcome.kind === "too-large") return tooLarge(limit);
    if (outcome.kind === "bad-multipart") return jsonError(400, "BAD_MULTIPART", `The multipart body could not be read: ${outcome.message}`);
    if (outcome.kind === "missing-file") {
      return jsonError(400, "MISSING_FILE", 'No file was sent: put the CSV in a multipart field named "file".', { field: "file" });
    }
    const { upload } = outcome;
    try {
      const request = importRequest(upload.fields, upload.fileName || "upload.csv");
      if (request instanceof Response) return request;
      const result = await importInThread(upload.path, request);
      return jsonOk(result, result.created && !result.dryRun ? 201 : 200);
    } catch (err) {
      const refusal = refusalOf(err);
      if (refusal) return jsonError(refusal.status, refusal.code, refusal.message, refusal.details);
      throw err;
    } finally {
      await upload.dispose();
    }
  });
}
