import type { Command } from "commander";
import { print, printJson, table } from "../format.js";

export function registerBackends(program: Command): void {
  program
    .command("backends")
    .description("list the available backends with their metadata (version, author, references)")
    .option("--json", "machine-readable JSON on standard output")
    .action(async (options: { json?: boolean }) => {
      const { availableBackends, getBackendMetadata } = await import("spey");
      const metadata = availableBackends().map((name) => getBackendMetadata(name));
      if (options.json) return printJson(metadata);
      const rows = metadata.map((m) => [
        m.name,
        m.version,
        m.author,
        [...m.arXiv.map((a) => `arXiv:${a}`), ...m.doi.map((d) => `doi:${d}`)].join(" "),
      ]);
      print(table(["backend", "version", "author", "references"], rows));
    });
}
