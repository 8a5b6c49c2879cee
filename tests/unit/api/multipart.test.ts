import fs from "node:fs";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { readUpload } from "@/app/api/_lib/multipart";

const BOUNDARY = "----tidecast-test";
const head = (name: string, file?: string) =>
  `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ""}\r\n${file ? "content-type: text/csv\r\n" : ""}\r\n`;

/** A chunked body (no Content-Length) that produces `fileBytes` of CSV lazily, counting what was pulled. */
function streamingRequest(fileBytes: number, fields: Record<string, string> = {}) {
  const pulled = { bytes: 0 };
  const chunk = new TextEncoder().encode("2020-01-01,1.5\n".repeat(4096)); // 61,440 bytes
  let sent = 0;
  let stage = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const push = (b: Uint8Array) => {
        pulled.bytes += b.byteLength;
        controller.enqueue(b);
      };
      if (stage === 0) {
        for (const [k, v] of Object.entries(fields)) push(new TextEncoder().encode(`${head(k)}${v}\r\n`));
        push(new TextEncoder().encode(head("file", "big.csv")));
        stage = 1;
      } else if (stage === 1) {
        const n = Math.min(chunk.byteLength, fileBytes - sent);
        push(chunk.subarray(0, n));
        sent += n;
        if (sent >= fileBytes) stage = 2;
      } else {
        push(new TextEncoder().encode(`\r\n--${BOUNDARY}--\r\n`));
        controller.close();
      }
    },
  });
  const req = new Request("http://localhost/api/datasets", {
    method: "POST",
    headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
    body,
    duplex: "half",
  } as RequestInit);
  return { req, pulled };
}

describe("streamed multipart upload", () => {
  it("stops reading as soon as the file passes the limit, with no Content-Length", async () => {
    const limit = 1_000_000;
    const { req, pulled } = streamingRequest(300 * 1048576);
    const outcome = await readUpload(req, { fileField: "file", limit });
    expect(outcome).toEqual({ kind: "too-large", limit });
    // It read the limit and a little more (stream buffers), never the 300 MB.
    expect(pulled.bytes).toBeGreaterThan(limit);
    expect(pulled.bytes).toBeLessThan(limit + 2 * 1048576);
  });

  it("spools a file within the limit and returns it whole with its fields", async () => {
    const { req } = streamingRequest(200_000, { name: "prices" });
    const outcome = await readUpload(req, { fileField: "file", limit: 1_000_000 });
    if (outcome.kind !== "ok") throw new Error(`expected ok, got ${outcome.kind}`);
    const { upload } = outcome;
    expect(upload.fileName).toBe("big.csv");
    expect(upload.fields).toEqual({ name: "prices" });
    const bytes = await upload.read();
    expect(bytes.byteLength).toBe(200_000);
    expect(new TextDecoder().decode(bytes.subarray(0, 15))).toBe("2020-01-01,1.5\n");
    await upload.dispose();
  });

  it("leaves no temporary file behind, refused or not", async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("tidecast-upload-")).length;
    await readUpload(streamingRequest(5_000_000).req, { fileField: "file", limit: 100_000 });
    const ok = await readUpload(streamingRequest(1000).req, { fileField: "file", limit: 100_000 });
    if (ok.kind === "ok") await ok.upload.dispose();
    const after = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("tidecast-upload-")).length;
    expect(after).toBe(before);
  });

  it("says when there is no file field or the body is not multipart", async () => {
    const noFile = new Request("http://localhost/api/datasets", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: `${head("name")}x\r\n--${BOUNDARY}--\r\n`,
    });
    expect(await readUpload(noFile, { fileField: "file", limit: 1000 })).toEqual({ kind: "missing-file" });
    const broken = new Request("http://localhost/api/datasets", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: `${head("file", "a.csv")}date,value\n2020-01-01,1`, // never closed
    });
    expect((await readUpload(broken, { fileField: "file", limit: 1000 })).kind).toBe("bad-multipart");
  });
});
