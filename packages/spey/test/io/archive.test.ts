import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidInput } from "spey";
import { archiveKind, readArchive, readTar } from "spey/io";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/archives/${name}`, import.meta.url)));
const example = (path: string) =>
  new Uint8Array(readFileSync(new URL(`../../../../examples/${path}`, import.meta.url)));

const LONG =
  "likelihoods/a-folder-with-a-rather-long-name-to-exceed-the-ustar-limit/of-one-hundred-characters-in-the-name-field/notes-with-a-long-file-name.json";
const FILES = ["likelihoods/README.txt", LONG, "likelihoods/plane/BkgOnly.json", "likelihoods/plane/patchset.json"];

describe("readArchive(bytes) on archives made by GNU tar and Info-ZIP", () => {
  for (const [name, kind] of [
    ["plane-gnu.tar.gz", "gzip"],
    ["plane-pax.tar", "tar"],
    ["plane.zip", "zip"],
    ["plane-stored.zip", "zip"],
  ] as const) {
    it(`${name}: every regular file, byte for byte, with paths longer than 100 characters`, async () => {
      const bytes = fixture(name);
      expect(archiveKind(bytes)).toBe(kind);
      const entries = await readArchive(bytes, { name });
      expect(entries.map((e) => e.path).sort()).toEqual([...FILES].sort());
      const byPath = new Map(entries.map((e) => [e.path, e.data]));
      expect(byPath.get("likelihoods/plane/BkgOnly.json")).toEqual(example("histfactory/BkgOnly.json"));
      expect(byPath.get("likelihoods/plane/patchset.json")).toEqual(example("histfactory/plane/patchset.json"));
      expect(new TextDecoder().decode(byPath.get(LONG))).toBe('{"note": "long path"}\n');
    });
  }

  it("a gzip-compressed single file comes back as one entry named without .gz", async () => {
    const { gzipSync } = await import("node:zlib");
    const entries = await readArchive(new Uint8Array(gzipSync('{"a": 1}')), { name: "model.json.gz" });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.path).toBe("model.json");
    expect(new TextDecoder().decode(entries[0]?.data)).toBe('{"a": 1}');
  });

  it("rejects what is not an archive, naming the input", async () => {
    await expect(readArchive(new TextEncoder().encode('{"x": 1}'), { name: "model.json" })).rejects.toThrow(
      /model\.json is not a \.tar\.gz, \.tgz, \.tar or \.zip archive/,
    );
  });

  it("rejects a truncated gzip stream as corrupt", async () => {
    const bytes = fixture("plane-gnu.tar.gz");
    const error = await readArchive(bytes.subarray(0, 1200), { name: "cut.tar.gz" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as Error).message).toMatch(/cut\.tar\.gz/);
  });

  it("rejects a tar header whose checksum does not match", () => {
    const bytes = fixture("plane-pax.tar").slice();
    bytes[10] = (bytes[10] as number) ^ 0x20; // flip a bit of the first member's name
    expect(() => readTar(bytes, { name: "bad.tar" })).toThrow(/bad\.tar: corrupt tar archive \(header checksum/);
  });

  it("rejects a zip whose central directory points past the data", async () => {
    const bytes = fixture("plane.zip");
    const error = await readArchive(bytes.subarray(0, bytes.length - 200), { name: "cut.zip" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as Error).message).toMatch(/cut\.zip: corrupt zip archive/);
  });

  it("refuses to inflate past maxBytes (zip-bomb guard)", async () => {
    await expect(readArchive(fixture("plane-gnu.tar.gz"), { name: "big.tar.gz", maxBytes: 10_000 })).rejects.toThrow(
      /big\.tar\.gz inflates to more than 10000 bytes/,
    );
  });
});
