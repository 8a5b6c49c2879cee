import { CsvImportError } from "@/lib/series";
import { db } from "@/lib/db/client";
import { listDatasets } from "@/lib/datasets/datasets";
import { maxUploadBytes } from "@/lib/datasets/upload";
import { ingestCsv } from "@/lib/ingest/ingest";
import { jsonError, jsonOk } from "../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/datasets: every dataset with its series. */
export async function GET(): Promise<Response> {
  return jsonOk({ datasets: await listDatasets(db()) });
}

/**
 * POST /api/datasets: multipart upload (field `file`, optional `name`); 201 with the stored series,
 * the retrains "on new data" schedules queued, the forecasts scored against the new points and the
 * alerts that fired (lib/ingest).
 */
export async function POST(req: Request): Promise<Response> {
  const limit = maxUploadBytes();
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit + 64 * 1024) {
    return jsonError(413, "FILE_TOO_LARGE", `The upload is larger than the ${(limit / 1048576).toFixed(0)} MB limit.`, {
      bytes: declared,
      limit,
    });
  }
  const type = req.headers.get("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    return jsonError(415, "UNSUPPORTED_MEDIA_TYPE", 'Send the CSV as multipart/form-data in a field named "file".', {
      contentType: type,
    });
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    return jsonError(400, "BAD_MULTIPART", "The multipart body could not be read.");
  }
  const file = form.get("file");
  if (!(file instanceof File)) {
    return jsonError(400, "MISSING_FILE", 'No file was sent: put the CSV in a multipart field named "file".', { field: "file" });
  }
  const nameField = form.get("name");
  const name = typeof nameField === "string" && nameField.trim() !== "" ? nameField.trim() : undefined;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return jsonOk(await ingestCsv(db(), bytes, file.name || "upload.csv", name), 201);
  } catch (err) {
    if (err instanceof CsvImportError) return jsonError(err.status, err.code, err.message, err.details);
    throw err;
  }
}
