/**
 * Reading the archives HEPData publishes likelihoods in (`.tar.gz`, `.tgz`, `.tar`, `.zip`) from
 * bytes, without Node built-ins: gzip and deflate go through the platform's `DecompressionStream`
 * (browsers, workers, Node ≥ 18), the tar (POSIX ustar with GNU long names and pax paths) and zip
 * (PKWARE APPNOTE: central directory, stored and deflated members) containers are parsed here.
 */
import { InvalidInput } from "../core/errors.js";
import { max } from "../core/describe.js";

/** A regular file of an archive. */
export interface ArchiveEntry {
  /** Path inside the archive, "/"-separated, without a leading "./". */
  readonly path: string;
  readonly data: Uint8Array;
}

/** What the first bytes say a buffer is. */
export type ArchiveKind = "gzip" | "zip" | "tar";

/** Options of {@link readArchive}. */
export interface ReadArchiveOptions {
  /** Name of the input in error messages (default "archive"). */
  readonly name?: string;
  /** Refuse to inflate more than this many bytes in all (default 2 GiB): a guard against zip bombs. */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/** The container of `bytes` by its magic numbers, or undefined for anything else (e.g. JSON). */
export function archiveKind(bytes: Uint8Array): ArchiveKind | undefined {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return "gzip";
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return "zip";
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x05 && bytes[3] === 0x06) {
    return "zip"; // empty zip: only the end-of-central-directory record
  }
  if (bytes.length >= 263 && ascii(bytes, 257, 5) === "ustar") return "tar";
  return undefined;
}

/**
 * The regular files of a `.tar.gz`/`.tgz`, `.tar` or `.zip` archive (a gzip-compressed single file
 * comes back as one entry named after `options.name` without `.gz`). Directories, links and
 * special files are skipped. Throws {@link InvalidInput} naming the input for anything else.
 */
export async function readArchive(bytes: Uint8Array, options: ReadArchiveOptions = {}): Promise<ArchiveEntry[]> {
  const name = options.name ?? "archive";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const kind = archiveKind(bytes);
  if (kind === "zip") return readZip(bytes, { name, maxBytes });
  if (kind === "tar") return readTar(bytes, { name });
  if (kind === "gzip") {
    const inner = await inflate(bytes, "gzip", name, maxBytes);
    if (archiveKind(inner) === "tar") return readTar(inner, { name });
    return [{ path: name.replace(/\.(gz|tgz)$/i, "").replace(/^.*\//, "") || "content", data: inner }];
  }
  throw new InvalidInput(
    `${name} is not a .tar.gz, .tgz, .tar or .zip archive (its first bytes match none of them); give the archive HEPData offers, or the JSON files themselves.`,
  );
}

/**
 * Decompress gzip (RFC 1952) or raw deflate (RFC 1951) data with the platform's
 * `DecompressionStream`, refusing more than `maxBytes` of output.
 */
export async function inflate(
  bytes: Uint8Array,
  format: "gzip" | "deflate-raw",
  name = "archive",
  maxBytes = DEFAULT_MAX_BYTES,
): Promise<Uint8Array> {
  if (typeof DecompressionStream === "undefined") {
    throw new InvalidInput(
      `${name}: this JavaScript environment has no DecompressionStream (needs a browser from 2023 or Node ≥ 18); decompress the archive first.`,
    );
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(format));
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new InvalidInput(`${name} inflates to more than ${maxBytes} bytes; refusing to read it.`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof InvalidInput) throw error;
    throw new InvalidInput(`${name}: the ${format} data is corrupt (${(error as Error).message}).`);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = "";
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

const utf8 = new TextDecoder("utf-8");

/** A NUL-terminated UTF-8 field of a tar header. */
function field(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return utf8.decode(bytes.subarray(start, end));
}

/** A tar number field: octal text, or base-256 when the high bit of the first byte is set. */
function tarNumber(bytes: Uint8Array, start: number, length: number, name: string): number {
  const first = bytes[start] as number;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (bytes[i] as number);
    return value;
  }
  const text = field(bytes, start, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new InvalidInput(`${name}: corrupt tar header (number field "${text}").`);
  return Number.parseInt(text, 8);
}

function normalisePath(path: string): string {
  return path.replace(/^(\.\/)+/, "").replace(/^\/+/, "");
}

/** pax extended header records "LEN key=value\n" → map. */
function paxRecords(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const text = utf8.decode(data);
  let i = 0;
  while (i < text.length) {
    const space = text.indexOf(" ", i);
    if (space < 0) break;
    const length = Number.parseInt(text.slice(i, space), 10);
    if (!(length > 0)) break;
    const record = text.slice(space + 1, i + length - 1);
    const eq = record.indexOf("=");
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    i += length;
  }
  return out;
}

/**
 * The regular files of a tar archive (POSIX ustar / GNU / pax): 512-byte headers, file data
 * padded to 512 bytes, two zero blocks at the end. GNU long names (type "L") and pax `path`
 * records are honoured; the header checksum is verified.
 */
export function readTar(bytes: Uint8Array, options: { name?: string } = {}): ArchiveEntry[] {
  const name = options.name ?? "archive";
  const entries: ArchiveEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (offset + 512 <= bytes.length) {
    const header = bytes.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] as number);
    const recorded = tarNumber(header, 148, 8, name);
    if (sum !== recorded) {
      throw new InvalidInput(`${name}: corrupt tar archive (header checksum mismatch at byte ${offset}).`);
    }
    const size = tarNumber(header, 124, 12, name);
    const type = String.fromCharCode(header[156] as number);
    const start = offset + 512;
    if (start + size > bytes.length) {
      throw new InvalidInput(`${name}: the tar archive is truncated (a member needs ${size} bytes past its end).`);
    }
    const data = bytes.subarray(start, start + size);
    offset = start + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = field(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      paxPath = paxRecords(data).get("path");
      continue;
    }
    if (type === "g") continue;
    const prefix = ascii(header, 257, 5) === "ustar" ? field(header, 345, 155) : "";
    const headerName = field(header, 0, 100);
    const path = paxPath ?? longName ?? (prefix ? `${prefix}/${headerName}` : headerName);
    longName = undefined;
    paxPath = undefined;
    if (type === "0" || type === "\0" || type === "7") {
      entries.push({ path: normalisePath(path), data: data.slice() });
    }
  }
  return entries;
}

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] as number) | ((bytes[at + 1] as number) << 8);
}

function u32(bytes: Uint8Array, at: number): number {
  return u16(bytes, at) + u16(bytes, at + 2) * 65536;
}

/**
 * The regular files of a zip archive (PKWARE APPNOTE 6.3): the central directory is read from the
 * end-of-central-directory record; members stored (method 0) or deflated (method 8) are
 * supported. Encrypted members and ZIP64 archives are rejected with a message.
 */
export async function readZip(
  bytes: Uint8Array,
  options: { name?: string; maxBytes?: number } = {},
): Promise<ArchiveEntry[]> {
  const name = options.name ?? "archive";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let eocd = -1;
  for (let i = bytes.length - 22; i >= max(0, bytes.length - 22 - 65535); i--) {
    if (u32(bytes, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new InvalidInput(`${name}: corrupt zip archive (no end-of-central-directory record).`);
  const count = u16(bytes, eocd + 10);
  let at = u32(bytes, eocd + 16);
  if (count === 0xffff || at === 0xffffffff) {
    throw new InvalidInput(`${name}: ZIP64 archives are not supported; repack it as .tar.gz.`);
  }
  const entries: ArchiveEntry[] = [];
  let inflated = 0;
  for (let k = 0; k < count; k++) {
    if (at + 46 > bytes.length || u32(bytes, at) !== 0x02014b50) {
      throw new InvalidInput(`${name}: corrupt zip archive (central directory entry ${k}).`);
    }
    const flags = u16(bytes, at + 8);
    const method = u16(bytes, at + 10);
    const compressedSize = u32(bytes, at + 20);
    const size = u32(bytes, at + 24);
    const nameLength = u16(bytes, at + 28);
    const extraLength = u16(bytes, at + 30);
    const commentLength = u16(bytes, at + 32);
    const local = u32(bytes, at + 42);
    const path = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith("/")) continue;
    if (flags & 1) throw new InvalidInput(`${name}: ${path} is encrypted; give an unencrypted archive.`);
    if (local + 30 > bytes.length || u32(bytes, local) !== 0x04034b50) {
      throw new InvalidInput(`${name}: corrupt zip archive (local header of ${path}).`);
    }
    const dataStart = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    if (raw.length !== compressedSize) throw new InvalidInput(`${name}: the zip archive is truncated (${path}).`);
    let data: Uint8Array;
    if (method === 0) data = raw.slice();
    else if (method === 8) data = await inflate(raw, "deflate-raw", `${name}: ${path}`, maxBytes - inflated);
    else {
      throw new InvalidInput(
        `${name}: ${path} uses zip compression method ${method}; only stored (0) and deflate (8) are supported.`,
      );
    }
    if (data.length !== size) {
      throw new InvalidInput(`${name}: ${path} inflates to ${data.length} bytes, the directory says ${size}.`);
    }
    inflated += data.length;
    entries.push({ path: normalisePath(path), data });
  }
  return entries;
}
