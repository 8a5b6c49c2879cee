import { guardRequest } from "@/lib/auth/guard";
import { API_POLICY, applySecurityHeaders } from "@/lib/auth/headers";
import { CsvImportError } from "@/lib/series";
import { db } from "@/lib/db/client";
import { listDatasets } from "@/lib/datasets/datasets";
import { maxUploadBytes } from "@/lib/datasets/upload";
import { ingestCsv } from "@/lib/ingest/ingest";
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

/**
 * POST /api/datasets: multipart upload (field `file`, optional `name`); 201 with the stored
 * series, the retrains "on new data" schedules queued, the forecasts scored against the new points
 * and the alerts that fired (lib/ingest). The body streams to a temporary file and is refused with
 * 413 the moment it passes the limit, with or without a Content-Length.
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
      const name = upload.fields.name?.trim() || undefined;
      return jsonOk(await ingestCsv(db(), await upload.read(), upload.fileName || "upload.csv", name), 201);
    } catch (err) {
      if (err instanceof CsvImportError) return jsonError(err.status, err.code, err.message, err.details);
      throw err;
    } finally {
      await upload.dispose();
    }
  });
}
