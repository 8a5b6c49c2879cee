import http from "node:http";

/** One raw HTTP request (node:http: any Host, Origin or framing we like), the whole answer read. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = Record<string, any>>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any -- payloads whose shape each test asserts
}

export function request(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      // A connection of its own (no keep-alive): a request whose body is refused unread must not
      // leave its socket to the next one.
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, agent: false, headers: { ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}), ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export function multipartBody(fileName: string, content: string, fields: Record<string, string> = {}): { body: Buffer; type: string } {
  const boundary = "----tidecast-attack";
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${fileName}"\r\ncontent-type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`);
  return { body: Buffer.from(parts.join("")), type: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Streams a chunked multipart upload (no Content-Length) of `totalBytes` of CSV, stopping as soon
 * as the server answers; calls `sample` every 25 ms while it runs.
 */
export function chunkedUpload(base: string, path: string, totalBytes: number, headers: Record<string, string>, sample: () => void): Promise<{ status: number; text: string; sent: number }> {
  const url = new URL(path, base);
  const boundary = "----tidecast-chunked";
  return new Promise((resolve, reject) => {
    let answered = false;
    let sent = 0;
    const timer = setInterval(sample, 25);
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: "POST",
      path: url.pathname,
      agent: false,
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "transfer-encoding": "chunked", ...headers },
    });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => {
        clearInterval(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, text, sent });
      });
    });
    req.on("error", (err) => {
      if (!answered) {
        clearInterval(timer);
        reject(err);
      }
    });
    req.write(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="huge.csv"\r\ncontent-type: text/csv\r\n\r\n`);
    const chunk = Buffer.from("2020-01-01,1.5\n".repeat(65536)); // ~1 MB
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
}
