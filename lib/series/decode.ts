/**
 * Turning an upload into text: the size limit, binary detection, encodings (UTF-8 with or without
 * BOM, UTF-16 with BOM, and a Windows-1252 fallback for legacy exports), and line endings.
 */
import { CsvImportError } from "./errors";

export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

const SNIFF_BYTES = 64 * 1024;

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KB`;
  return `${n} bytes`;
}

function tooLarge(size: number, maxBytes: number): CsvImportError {
  return new CsvImportError(
    "FILE_TOO_LARGE",
    `The file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit.`,
    { size, maxBytes },
  );
}

/** UTF-8 byte length of a string, without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const MAGIC: Array<[number[], string]> = [
  [[0x50, 0x4b, 0x03, 0x04], "a ZIP archive (an Excel .xlsx workbook is one): export the sheet as CSV"],
  [[0xd0, 0xcf, 0x11, 0xe0], "an old Excel .xls workbook: export the sheet as CSV"],
  [[0x25, 0x50, 0x44, 0x46], "a PDF document"],
  [[0x89, 0x50, 0x4e, 0x47], "a PNG image"],
  [[0xff, 0xd8, 0xff], "a JPEG image"],
  [[0x1f, 0x8b], "a gzip archive: unpack it first"],
  [[0x50, 0x41, 0x52, 0x31], "a Parquet file"],
  [[0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], "an SQLite database"],
];

function binary(what: string): CsvImportError {
  return new CsvImportError("BINARY_FILE", `This is not a CSV text file: it looks like ${what}.`, {});
}

/** Share of control characters (other than tab, CR, LF, FF) in the first bytes. */
function controlShare(bytes: Uint8Array): number {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b < 0x20 && b !== 9 && b !== 10 && b !== 13 && b !== 12) bad++;
  }
  return n === 0 ? 0 : bad / n;
}

/**
 * Decodes the upload to a string with "\n" line ends and no BOM. Throws FILE_TOO_LARGE or
 * BINARY_FILE. Pushes a warning when it falls back to Windows-1252.
 */
export function decodeInput(input: string | Uint8Array, maxBytes: number, warnings: string[]): string {
  let text: string;
  if (typeof input === "string") {
    if (input.length > maxBytes) throw tooLarge(utf8Length(input), maxBytes);
    if (input.length * 3 > maxBytes) {
      const size = utf8Length(input);
      if (size > maxBytes) throw tooLarge(size, maxBytes);
    }
    if (input.indexOf("\u0000") >= 0) throw binary("binary data (it contains NUL characters)");
    text = input;
    const head = text.slice(0, SNIFF_BYTES);
    let bad = 0;
    for (let i = 0; i < head.length; i++) {
      const c = head.charCodeAt(i);
      if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0xfffd) bad++;
    }
    if (head.length > 0 && bad / head.length > 0.05) throw binary("binary data");
  } else {
    if (input.byteLength > maxBytes) throw tooLarge(input.byteLength, maxBytes);
    for (const [magic, what] of MAGIC) {
      if (input.length >= magic.length && magic.every((b, i) => input[i] === b)) throw binary(what);
    }
    if (input.length >= 2 && input[0] === 0xff && input[1] === 0xfe) {
      text = new TextDecoder("utf-16le").decode(input);
    } else if (input.length >= 2 && input[0] === 0xfe && input[1] === 0xff) {
      text = new TextDecoder("utf-16be").decode(input);
    } else {
      if (input.indexOf(0) >= 0) throw binary("binary data (it contains NUL bytes)");
      if (controlShare(input) > 0.01) throw binary("binary data");
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(input);
      } catch {
        text = new TextDecoder("windows-1252").decode(input);
        warnings.push("The file is not valid UTF-8; it was read as Windows-1252 (Western European).");
      }
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.indexOf("\r") >= 0) text = text.replace(/\r\n?/g, "\n");
  return text;
}
