import { captureLogs } from "spey";
import type { Command } from "commander";
import { currentRun } from "../context.js";
import { ExitCode } from "../exit-codes.js";
import { print, printJson } from "../format.js";
import { collect } from "../options.js";
import { PATCHES_HELP, withPatches } from "./common.js";

const MAX_SHOWN = 50;

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "check a model file, a pyhf workspace or a batch grid (.jsonl) and report every problem (exit code 2 if any)",
    )
    .argument(
      "<file>",
      'model file, pyhf workspace, patch set, JSON Patch, grid (.jsonl), results file, or "-" for standard input',
    )
    .argument("[patches...]", PATCHES_HELP)
    .option("--base <model>", "shared model of a grid (the file is then read as a grid)")
    .option("--patch <file>", "a signal patch, as an option (repeatable)", collect)
    .option("--json", "machine-readable JSON on standard output")
    .action(async (file: string, patches: string[], flags: { base?: string; patch?: string[]; json?: boolean }) => {
      const options = withPatches(patches, flags);
      const { validateFile } = await import("../validate/validate-file.js");
      const run = currentRun();
      // The library's messages belong to the report (once each), not to the run's warnings.
      const { result: report, records } = captureLogs(() =>
        validateFile(file, { base: options.base, patches: options.patch ?? [] }),
      );
      for (const r of records) {
        if (r.level !== "warning" && r.level !== "error") continue;
        // An argument the schema check already reported as unknown is not reported twice.
        const key = r.code === "unused-argument" ? /argument "([^"]*)"/.exec(r.message)?.[1] : undefined;
        if (key !== undefined && report.warnings.some((w) => w.includes(`"${key}"`))) continue;
        if (!report.warnings.includes(r.message)) report.warnings.push(r.message);
      }
      if (run.strict && report.warnings.length > 0) {
        // --strict: warnings are problems.
        for (const w of report.warnings) report.problems.push({ path: "(warning)", message: w });
        report.warnings = [];
        report.valid = false;
      }
      if (!report.valid) run.exitCode = ExitCode.BadInput;
      if (options.json) return printJson(report);
      const what = [
        report.kind,
        report.backend,
        report.bins !== undefined ? `${report.bins} bin${report.bins === 1 ? "" : "s"}` : undefined,
        report.points !== undefined
          ? `${report.points} ${report.kind === "patchset" ? "patches" : report.kind === "results" ? "results" : "points"}`
          : undefined,
      ]
        .filter(Boolean)
        .join(", ");
      const lines = [
        report.valid
          ? `${report.file}: OK (${what})`
          : `${report.file}: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} (${what})`,
      ];
      for (const p of report.problems.slice(0, MAX_SHOWN))
        lines.push(`  ✗ ${p.path === "(file)" ? "" : `${p.path}: `}${p.message}`);
      if (report.problems.length > MAX_SHOWN)
        lines.push(`  … and ${report.problems.length - MAX_SHOWN} more (see --json)`);
      for (const w of report.warnings) lines.push(`  ! warning: ${w}`);
      print(lines.join("\n"));
    });
}
