import type { Command } from "commander";
import type { ModifierType, Workspace } from "spey";
import { table } from "../format.js";
import { InputFileError, readJsonInput } from "../json-input.js";
import { emitResult, loadInput, type ModelOptions, outputOptions, withPatches, workspaceOptions } from "./common.js";

/** pyhf's parameter-set type of each modifier type (`pyhf inspect`'s "constraint" column). */
const PARAMSET_TYPE: Record<ModifierType, string> = {
  normfactor: "unconstrained",
  shapefactor: "unconstrained",
  normsys: "constrained_by_normal",
  histosys: "constrained_by_normal",
  lumi: "constrained_by_normal",
  staterror: "constrained_by_normal",
  shapesys: "constrained_by_poisson",
};

/** What `spey inspect` reports about a pyhf workspace (the content of `pyhf inspect`). */
export interface WorkspaceSummary {
  kind: "workspace";
  file: string;
  channels: { name: string; bins: number }[];
  samples: string[];
  parameters: { name: string; constraint: string; modifiers: string[] }[];
  measurements: { name: string; poi: string; parameters: string[]; default: boolean }[];
  /** The POI of the default measurement when no modifier carries it (HEPData's BkgOnly.json). */
  missingPoi?: string;
}

/** What `spey inspect` reports about a model file. */
export interface ModelSummary {
  kind: "model";
  file: string;
  backend: string;
  bins?: number;
  poi: string;
  parameters: { name: string; init: number; bounds: [number, number]; fixed: boolean }[];
}

/** The summary of a workspace (after its patches), as pyhf's `inspect` computes it. */
export function summariseWorkspace(workspace: Workspace, file: string, measurement?: string): WorkspaceSummary {
  const modifiers = workspace.modifiers;
  const byName = new Map<string, string[]>();
  for (const [name, type] of modifiers) byName.set(name, [...(byName.get(name) ?? []), type]);
  const parameters = [...byName.entries()]
    .map(([name, types]) => ({
      name,
      constraint: PARAMSET_TYPE[types[0] as ModifierType] ?? "unknown",
      modifiers: [...new Set(types)].sort(),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const spec = workspace.toJSON();
  const nbins = workspace.channelNbins;
  const defaultName = measurement ?? workspace.measurementNames[0];
  const measurements = spec.measurements.map((m, i) => ({
    name: m.name,
    poi: m.config.poi,
    parameters: m.config.parameters.map((p) => p.name),
    default: /^\d+$/.test(defaultName ?? "") ? i === Number(defaultName) : m.name === defaultName,
  }));
  const chosen = measurements.find((m) => m.default);
  const summary: WorkspaceSummary = {
    kind: "workspace",
    file,
    channels: workspace.channels.map((name) => ({ name, bins: nbins[name] as number })),
    samples: workspace.samples,
    parameters,
    measurements,
  };
  if (chosen && !byName.has(chosen.poi)) summary.missingPoi = chosen.poi;
  return summary;
}

/** pyhf's JSON of `pyhf inspect --output-file` (tuples as arrays, snake_case keys). */
function pyhfInspect(summary: WorkspaceSummary) {
  return {
    channels: summary.channels.map((c) => [c.name, c.bins]),
    measurements: summary.measurements.map((m) => [m.name, m.poi, m.parameters]),
    modifiers: Object.fromEntries(summary.parameters.map((p) => [p.name, p.modifiers[0]])),
    parameters: summary.parameters.map((p) => [p.name, p.constraint]),
    samples: summary.samples,
    systematics: summary.parameters.map((p) => [p.name, p.constraint, p.modifiers]),
  };
}

function workspaceTable(summary: WorkspaceSummary): string {
  const blocks = [
    `${summary.file}: pyhf workspace`,
    table(
      ["", "count"],
      [
        ["channels", String(summary.channels.length)],
        ["samples", String(summary.samples.length)],
        ["parameters", String(summary.parameters.length)],
        ["measurements", String(summary.measurements.length)],
      ],
    ),
    table(
      ["channel", "bins"],
      summary.channels.map((c) => [c.name, String(c.bins)]),
    ),
    table(
      ["sample"],
      summary.samples.map((s) => [s]),
    ),
    table(
      ["parameter", "constraint", "modifiers"],
      summary.parameters.map((p) => [p.name, p.constraint, p.modifiers.join(",")]),
    ),
    table(
      ["measurement", "POI", "parameters"],
      summary.measurements.map((m) => [
        `${m.default ? "(*) " : ""}${m.name}`,
        m.poi,
        m.parameters.length > 0 ? m.parameters.join(",") : "(none)",
      ]),
    ),
  ];
  if (summary.missingPoi !== undefined) {
    blocks.push(
      `background-only: the POI "${summary.missingPoi}" is not a parameter of the workspace; a signal patch adds it.`,
    );
  }
  return blocks.join("\n\n");
}

function modelTable(summary: ModelSummary): string {
  const head = `${summary.file}: ${summary.backend}${summary.bins !== undefined ? `, ${summary.bins} bins` : ""}, POI ${summary.poi}`;
  return `${head}\n\n${table(
    ["parameter", "init", "lower", "upper", "fixed"],
    summary.parameters.map((p) => [
      p.name,
      String(p.init),
      String(p.bounds[0]),
      String(p.bounds[1]),
      p.fixed ? "yes" : "",
    ]),
  )}`;
}

export function registerInspect(program: Command): void {
  outputOptions(
    workspaceOptions(
      program
        .command("inspect")
        .description(
          "summarise a pyhf workspace (channels, samples, parameters and their constraints, measurements, POI) or a model file (backend, parameters), as `pyhf inspect`",
        )
        .argument("<file>", 'pyhf workspace or model file, or "-" for standard input')
        .argument("[patches...]", "signal patches applied before inspecting (workspaces)"),
    ),
    ["table", "json", "pyhf"],
  ).action(async (file: string, patches: string[], flags: ModelOptions) => {
    const options = withPatches(patches, flags);
    const input = readJsonInput(file);
    const { isPyhfWorkspace, patchedWorkspace } = await import("../workspace.js");
    if (isPyhfWorkspace(input.value)) {
      const workspace = patchedWorkspace(input, options.patch ?? [], {
        ...(options.verify === false ? { verify: false } : {}),
      });
      const summary = summariseWorkspace(workspace, input.source, options.measurement);
      return emitResult(options, {
        json: () => summary,
        pyhf: () => pyhfInspect(summary),
        table: () => workspaceTable(summary),
      });
    }
    const { model, source } = await loadInput(input, options);
    const config = model.config();
    const { namesOf } = await import("./fit.js");
    const names = namesOf(model, config.suggestedInit.length, config.poiIndex);
    const summary: ModelSummary = {
      kind: "model",
      file: source,
      backend: model.backendType,
      poi: names[config.poiIndex] ?? "mu",
      parameters: config.suggestedInit.map((init, i) => ({
        name: names[i] ?? `par_${i}`,
        init,
        bounds: [...(config.suggestedBounds[i] ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY])] as [
          number,
          number,
        ],
        fixed: Boolean(config.suggestedFixed?.[i]),
      })),
    };
    const data = (input.value as Record<string, unknown>).data;
    if (Array.isArray(data)) summary.bins = data.length;
    emitResult(options, {
      json: () => summary,
      pyhf: () => {
        throw new InputFileError(`${source} is a model file: --format pyhf applies to pyhf workspaces.`);
      },
      table: () => modelTable(summary),
    });
  });
}
