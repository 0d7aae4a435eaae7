import type { Command } from "commander";
import { print, table, toJson } from "../format.js";
import { InputFileError, readJsonInput } from "../json-input.js";
import { writeOutputFile } from "./common.js";

interface PatchsetOutput {
  readonly outputFile?: string;
  readonly json?: boolean;
}

/** Write a JSON document to `--output-file` or standard output. */
function emitJson(value: unknown, options: PatchsetOutput): void {
  const text = toJson(value);
  if (options.outputFile !== undefined) writeOutputFile(options.outputFile, text);
  else print(text);
}

async function workspaceTools() {
  return import("../workspace.js");
}

export function registerPatchset(program: Command): void {
  const patchset = program
    .command("patchset")
    .description("pyhf patch sets: inspect, extract, apply, verify (as `pyhf patchset ...`)");

  patchset
    .command("inspect")
    .description("the patch set's metadata (description, digest, labels, references) and its patches")
    .argument("<patchset>", 'patch set file, or "-" for standard input')
    .option("--json", "machine-readable JSON on standard output")
    .action(async (file: string, options: { json?: boolean }) => {
      const { patchSetOf } = await workspaceTools();
      const { patchSet, input } = patchSetOf(file === "-" ? "-" : file);
      const spec = patchSet.toJSON();
      const summary = {
        file: input.source,
        description: spec.metadata.description,
        digests: spec.metadata.digests,
        labels: spec.metadata.labels,
        references: spec.metadata.references,
        version: spec.version,
        patches: spec.patches.map((p) => ({ name: p.metadata.name, values: p.metadata.values })),
      };
      if (options.json) return emitJson(summary, {});
      const lines = [
        `${summary.file}: pyhf patch set, ${summary.patches.length} patches`,
        `description: ${summary.description}`,
        ...Object.entries(summary.digests).map(([algorithm, digest]) => `workspace digest (${algorithm}): ${digest}`),
        ...Object.entries(summary.references ?? {}).map(([where, ref]) => `reference (${where}): ${ref}`),
        "",
        table(
          ["patch", ...summary.labels],
          summary.patches.map((p) => [p.name, ...p.values.map(String)]),
        ),
      ];
      print(lines.join("\n"));
    });

  patchset
    .command("extract")
    .description("one patch of a patch set as a JSON Patch (pyhf's `patchset extract`)")
    .argument("<patchset>", 'patch set file, or "-" for standard input')
    .requiredOption("--name <name>", "the name of the patch to extract")
    .option("--with-metadata", "output {metadata, patch} with the patch set's metadata merged in")
    .option("--output-file <file>", "write the JSON to this file instead of standard output")
    .action(async (file: string, options: PatchsetOutput & { name: string; withMetadata?: boolean }) => {
      const { patchSetOf } = await workspaceTools();
      const { patchSet, input } = patchSetOf(file);
      let entry: ReturnType<typeof patchSet.get>;
      try {
        entry = patchSet.get(options.name);
      } catch (error) {
        throw new InputFileError(`${input.source}: ${(error as Error).message}`);
      }
      const spec = patchSet.toJSON();
      const patch = spec.patches.find((p) => p.metadata.name === entry.name);
      emitJson(
        options.withMetadata ? { metadata: { ...patch?.metadata, ...spec.metadata }, patch: entry.patch } : entry.patch,
        options,
      );
    });

  patchset
    .command("apply")
    .description("a background-only workspace with one patch of a patch set applied (pyhf's `patchset apply`)")
    .argument("<workspace>", 'background-only workspace, or "-" for standard input')
    .argument("<patchset>", "patch set file")
    .option("--name <name>", "the patch to apply (required when the patch set has several)")
    .option("--no-verify", "apply without checking that the patch set was made for this workspace")
    .option("--output-file <file>", "write the patched workspace to this file instead of standard output")
    .action(
      async (workspaceFile: string, file: string, options: PatchsetOutput & { name?: string; verify: boolean }) => {
        const { applyPatchSet, patchSetOf, workspaceOf } = await workspaceTools();
        const workspace = workspaceOf(readJsonInput(workspaceFile));
        const { patchSet, input, name } = patchSetOf(file);
        const patched = applyPatchSet(workspace, patchSet, input.source, options.name ?? name, options.verify);
        emitJson(patched.toJSON(), options);
      },
    );

  patchset
    .command("verify")
    .description("check that a patch set was made for a workspace, by its sha256 digest (pyhf's `patchset verify`)")
    .argument("<workspace>", 'background-only workspace, or "-" for standard input')
    .argument("<patchset>", "patch set file")
    .action(async (workspaceFile: string, file: string) => {
      const { patchSetOf, workspaceOf } = await workspaceTools();
      const workspace = workspaceOf(readJsonInput(workspaceFile));
      const { patchSet, input } = patchSetOf(file);
      try {
        patchSet.verify(workspace);
      } catch (error) {
        const message = (error as Error).message.replace(/\s*\(pass verify: false[^)]*\)/, "");
        throw new InputFileError(`${input.source}: ${message}`);
      }
      print(
        `${input.source} matches ${workspaceFile === "-" ? "standard input" : workspaceFile} (sha256 ${workspace.digest()}).`,
      );
    });
}
