/**
 * The spey playground page: load inputs (drop, file picker, URL, examples), show the model
 * summary, compute one signal point (CLs, limit with bands, Brazil band, scan, pulls) or every
 * patch of a patch set on all cores (exclusion plot), what-if controls recomputed live, exports,
 * and the state in the URL. Computation runs in a pool of Web Workers (spey/worker); the library's
 * loaders (spey/io) and the plots are loaded on first use, so the first screen stays small.
 */
import type { JsonPatch, WorkspaceSpec } from "spey";
import type { ExclusionPoint } from "spey/plots";
import { type MapProgress, type Settled, WorkerPool } from "spey/worker";
import type { ModelSource, ModelSummary, PointResult, ResultsJson } from "spey/worker/tasks";
import { DEFAULT_WHAT_IF, readUrlState, type UrlState, type WhatIf, writeUrlState } from "./state.js";

type Status = "idle" | "loading" | "computing" | "done" | "error" | "cancelled";

interface PatchEntry {
  readonly name: string;
  readonly values: readonly (number | string)[];
  readonly patch: JsonPatch;
}

interface Loaded {
  readonly kind: "model" | "workspace";
  readonly name: string;
  readonly description?: Record<string, unknown>;
  readonly workspace?: WorkspaceSpec;
  readonly workspaceKey?: string;
  readonly labels?: readonly string[];
  readonly patches?: readonly PatchEntry[];
  /** JSON Patch files given with a workspace (applied after the selected patch set entry). */
  readonly extraPatches?: readonly JsonPatch[];
  readonly notes: string[];
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const pool = new WorkerPool({
  createWorker: () => new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "spey" }),
  // Cross-origin isolated pages share a cancellation flag that running tasks read between their CLs
  // evaluations: give them a second to stop by themselves (keeping the warm worker); otherwise a
  // running task cannot see the cancellation and its worker is terminated at once.
  cancelGraceMs: globalThis.crossOriginIsolated ? 1000 : 50,
});

declare global {
  interface Window {
    /** The page's worker pool, for diagnostics and the end-to-end tests (read its `stats`). */
    speyPlayground?: { pool: WorkerPool };
  }
}
window.speyPlayground = { pool };

let loaded: Loaded | undefined;
let urlState: UrlState = { all: false, whatIf: { ...DEFAULT_WHAT_IF } };
let selectedPatch: string | undefined;
let yieldEdits: Record<string, number[]> = {};
let pointController: AbortController | undefined;
let allController: AbortController | undefined;
let patchResults = new Map<string, Settled<ResultsJson>>();
let lastPoint: PointResult | undefined;
const svgs: Record<string, SVGSVGElement | undefined> = {};
let workspaceCounter = 0;
let requestedAt: number | undefined;

function setStatus(status: Status, message?: string): void {
  document.body.dataset.status = status;
  if (message !== undefined) $("status").textContent = message;
  if (status !== "error") $("error").hidden = true;
}

function showError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
  setStatus("error", "Error — see the message below.");
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function table(
  headers: readonly string[],
  rows: readonly (readonly (Node | string)[])[],
  caption?: string,
): HTMLTableElement {
  const t = el("table");
  if (caption) t.append(el("caption", {}, caption));
  t.append(el("thead", {}, el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)))));
  t.append(el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c) => el("td", {}, c))))));
  return t;
}

const fmt = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? "—" : Number.isFinite(x) ? x.toPrecision(4) : x > 0 ? "∞" : "−∞";

const plots = () => import("./plots.js");
const io = () => import("spey/io");

// ---------------------------------------------------------------------------------------------
// Loading

async function loadSources(sources: (File | { name: string; content: Uint8Array })[], origin: Partial<UrlState>) {
  cancelAll();
  setStatus("loading", `Reading ${sources.map((s) => s.name).join(", ")}…`);
  const { loadInputs } = await io();
  const found = await loadInputs(sources);
  const notes: string[] = [];
  if (found.ignored.length > 0) notes.push(`Not used: ${found.ignored.join(", ")}.`);
  let next: Loaded;
  if (found.workspaces.length > 0) {
    const pair = found.likelihoods[0];
    const workspaceInput = pair?.workspace ?? found.workspaces[0];
    if (!workspaceInput) throw new Error("no workspace found");
    if (found.likelihoods.length > 1) {
      notes.push(
        `${found.likelihoods.length} likelihoods found; showing ${pair?.patchSet.path}. Load one archive folder at a time to see the others.`,
      );
    }
    if (pair && pair.matchedBy !== "digest") {
      notes.push(
        `The patch set's sha256 digest does not match ${workspaceInput.path}; it was paired by ${pair.matchedBy === "folder" ? "folder" : "being the only workspace"}.`,
      );
    }
    const patchSet = pair?.patchSet.patchSet;
    next = {
      kind: "workspace",
      name: lastSegment(workspaceInput.path),
      workspace: workspaceInput.workspace.toJSON(),
      workspaceKey: `ws-${++workspaceCounter}`,
      ...(patchSet
        ? {
            labels: patchSet.labels,
            patches: patchSet.patches.map((p) => ({ name: p.name, values: p.values, patch: p.patch })),
          }
        : {}),
      extraPatches: found.jsonPatches.map((p) => p.patch),
      notes,
    };
    if (!patchSet && found.jsonPatches.length === 0) {
      notes.push("This workspace has no signal patch: load its patch set (or a JSON Patch) too to compute limits.");
    }
  } else if (found.models.length > 0) {
    const model = found.models[0] as { path: string; description: Record<string, unknown> };
    if (found.models.length > 1) notes.push(`${found.models.length} model files found; showing ${model.path}.`);
    if (found.patchSets.length > 0 || found.jsonPatches.length > 0) {
      notes.push("Patch sets and JSON Patches apply to pyhf workspaces, not to model files; they were not used.");
    }
    next = { kind: "model", name: lastSegment(model.path), description: model.description, notes };
  } else {
    throw new Error(
      `${sources.map((s) => s.name).join(", ")}: a patch set needs its background-only workspace; load both (or the archive holding them).`,
    );
  }
  loaded = next;
  urlState = { all: false, whatIf: urlState.whatIf, ...origin };
  yieldEdits = {};
  patchResults = new Map();
  lastPoint = undefined;
  selectedPatch = origin.patch ?? next.patches?.[0]?.name;
  if (origin.patch !== undefined && !next.patches?.some((p) => p.name === origin.patch)) {
    const names = next.patches?.map((p) => p.name) ?? [];
    throw new Error(
      `there is no patch named "${origin.patch}"${names.length > 0 ? `; patches: ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}` : " (no patch set was loaded)"}.`,
    );
  }
  renderLoaded();
  await showSummary();
}

function lastSegment(path: string): string {
  return path.split("/").pop() || path;
}

async function loadUrls(state: UrlState): Promise<void> {
  const { fetchInput } = await io();
  const urls = [state.model, state.workspace, state.patchset, state.archive].filter((u): u is string => !!u);
  setStatus("loading", `Fetching ${urls.join(", ")}…`);
  const inputs = await Promise.all(urls.map((u) => fetchInput(u)));
  const origin: Partial<UrlState> = {};
  for (const key of ["model", "workspace", "patchset", "archive", "patch"] as const) {
    if (state[key] !== undefined) origin[key] = state[key];
  }
  await loadSources(
    inputs.map((i) => ({ name: i.name, content: i.content as Uint8Array })),
    origin,
  );
}

// ---------------------------------------------------------------------------------------------
// Sources for the workers

function scaleSignalPatch(patch: JsonPatch, factor: number): JsonPatch {
  if (factor === 1) return patch;
  const scale = (xs: unknown) => (Array.isArray(xs) ? xs.map((x) => (typeof x === "number" ? x * factor : x)) : xs);
  return patch.map((op) => {
    const value = (op as { value?: unknown }).value;
    // A replaced yield array (e.g. {"op": "replace", "path": "/channels/0/samples/4/data", "value": [...]}).
    if (Array.isArray(value) && value.every((x) => typeof x === "number"))
      return { ...op, value: scale(value) } as JsonPatch[number];
    if (typeof value !== "object" || value === null || !Array.isArray((value as { data?: unknown }).data)) return op;
    const sample = value as { data: number[]; modifiers?: { type: string; data: unknown }[] };
    return {
      ...op,
      value: {
        ...sample,
        data: scale(sample.data),
        modifiers: (sample.modifiers ?? []).map((m) => {
          if (m.type === "histosys" && m.data && typeof m.data === "object") {
            const d = m.data as { hi_data: number[]; lo_data: number[] };
            return { ...m, data: { hi_data: scale(d.hi_data), lo_data: scale(d.lo_data) } };
          }
          if (m.type === "staterror" || m.type === "shapesys") return { ...m, data: scale(m.data) };
          return m;
        }),
      },
    } as JsonPatch[number];
  });
}

function sourceFor(patchName: string | undefined): ModelSource {
  const state = loaded as Loaded;
  const w = urlState.whatIf;
  if (state.kind === "model") {
    const description = { ...(state.description as Record<string, unknown>), ...yieldEdits };
    const scaled = w.signal !== 1 || w.lumi !== 1 || w.syst !== 1;
    return {
      kind: "model",
      name: state.name,
      description,
      ...(scaled ? { scales: { signal: w.signal, luminosity: w.lumi, systematics: w.syst } } : {}),
    };
  }
  const entry = state.patches?.find((p) => p.name === patchName);
  const patches = [...(entry ? [scaleSignalPatch(entry.patch, w.signal)] : []), ...(state.extraPatches ?? [])];
  const scaled = w.lumi !== 1 || w.syst !== 1;
  return {
    kind: "workspace",
    name: state.name,
    workspace: state.workspace as WorkspaceSpec,
    workspaceKey: state.workspaceKey as string,
    patches,
    ...(scaled ? { scales: { luminosity: w.lumi, systematics: w.syst } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

function renderLoaded(): void {
  const state = loaded as Loaded;
  $("summary-section").hidden = false;
  $("whatif-section").hidden = false;
  $("point-section").hidden = true;
  $("patches-section").hidden = !state.patches;
  $("exclusion").replaceChildren();
  $("exclusion-exports").hidden = true;
  $("patch-table").replaceChildren();
  $("results-json").textContent = "";
  for (const id of ["brazil", "scan", "pulls", "point-results"]) $(id).replaceChildren();
  const workspace = state.kind === "workspace";
  $("whatif-note").textContent = workspace
    ? "Signal scale multiplies the signal patch's yields (and its absolute uncertainties); luminosity × r scales every yield, observation and absolute uncertainty by r (spey-pyhf's extrapolate_luminosity); systematics × k scales the normsys/histosys deviations by k (scale_systematics)."
    : "Signal scale multiplies the signal yields; luminosity × r scales signal, background and observed yields by r and covariances by r²; systematics × k scales the background uncertainties by k (covariances by k²). Edit the yields below too.";
  syncWhatIfControls();
  if (state.patches) {
    const select = $("patch-select") as HTMLSelectElement;
    select.replaceChildren(
      ...state.patches.map((p) =>
        el(
          "option",
          { value: p.name },
          `${p.name} (${state.labels?.map((l, i) => `${l} = ${p.values[i]}`).join(", ")})`,
        ),
      ),
    );
    if (selectedPatch) select.value = selectedPatch;
  }
  renderYieldsEditor();
}

function syncWhatIfControls(): void {
  const w = urlState.whatIf;
  for (const [id, value] of [
    ["signal-scale", w.signal],
    ["lumi-scale", w.lumi],
    ["syst-scale", w.syst],
  ] as const) {
    ($(id) as HTMLInputElement).value = String(value);
    $(`${id}-out`).textContent = String(value);
  }
}

function numericVector(description: Record<string, unknown>, keys: readonly string[]): [string, number[]] | undefined {
  for (const key of keys) {
    const v = description[key];
    if (Array.isArray(v) && v.every((x) => typeof x === "number")) return [key, v as number[]];
  }
  return undefined;
}

function renderYieldsEditor(): void {
  const container = $("yields");
  container.replaceChildren();
  const state = loaded as Loaded;
  if (state.kind !== "model" || !state.description) return;
  const columns = [
    ["signal", ["signalYields", "signal_yields"]],
    ["background", ["backgroundYields", "background_yields"]],
    ["observed", ["data"]],
  ] as const;
  const found = columns
    .map(([label, keys]) => ({ label, entry: numericVector(state.description as Record<string, unknown>, keys) }))
    .filter((c) => c.entry !== undefined) as { label: string; entry: [string, number[]] }[];
  if (found.length === 0) return;
  const bins = Math.max(...found.map((c) => c.entry[1].length));
  const rows = Array.from({ length: bins }, (_, i) => [
    `bin ${i + 1}`,
    ...found.map((c) => {
      const [key, values] = c.entry;
      const input = el("input", {
        type: "number",
        step: "any",
        min: "0",
        value: String((yieldEdits[key] ?? values)[i]),
        "aria-label": `${c.label} yield, bin ${i + 1}`,
      }) as HTMLInputElement;
      input.addEventListener("input", () => {
        const v = Number(input.value);
        if (!(Number.isFinite(v) && v >= 0)) return;
        const current = [...(yieldEdits[key] ?? values)];
        current[i] = v;
        yieldEdits = { ...yieldEdits, [key]: current };
        scheduleRecompute();
      });
      return input;
    }),
  ]);
  container.append(
    el("h3", {}, "Yields"),
    el("div", { class: "scroll" }, table(["", ...found.map((c) => c.label)], rows)),
  );
}

async function showSummary(): Promise<void> {
  const state = loaded as Loaded;
  const source = sourceFor(selectedPatch);
  const summary = await pool.run<ModelSummary>("summary", source);
  const box = $("summary");
  const parts: HTMLElement[] = [];
  parts.push(
    table(
      ["", ""],
      [
        ["input", state.name],
        ["backend", summary.backend],
        ["parameters", String(summary.parameters)],
        ["parameter of interest", summary.poi],
        ...(summary.bins !== undefined ? [["bins", String(summary.bins)]] : []),
        ...(summary.measurements ? [["measurements", summary.measurements.join(", ")]] : []),
        ...(state.patches ? [["signal patches", `${state.patches.length} (labels: ${state.labels?.join(", ")})`]] : []),
      ],
      "Summary",
    ),
  );
  if (summary.channels) {
    parts.push(
      table(
        ["channel", "bins"],
        summary.channels.map((c) => [c.name, String(c.bins)]),
        "Channels",
      ),
    );
    parts.push(
      table(
        ["sample"],
        (summary.samples ?? []).map((s) => [s]),
        "Samples",
      ),
    );
    parts.push(
      el(
        "div",
        { class: "scroll" },
        table(
          ["modifier", "type"],
          (summary.modifiers ?? []).map((m) => [m.name, m.type]),
          "Modifiers",
        ),
      ),
    );
    parts.push(
      el(
        "div",
        { class: "scroll" },
        table(
          ["parameter set", "constraint", "size"],
          (summary.parameterSets ?? []).map((p) => [p.name, p.constraint, String(p.n)]),
          "Parameters",
        ),
      ),
    );
  }
  box.replaceChildren(
    el("div", { class: "tables" }, ...parts),
    ...state.notes.map((n) => el("p", { class: "note" }, n)),
  );
}

function resultsTable(results: ResultsJson): HTMLElement {
  const { cls, limit } = results;
  const rows: string[][] = [
    ["observed", fmt(cls.oneMinusCls.observed), fmt(cls.cls.observed), fmt(limit.upperLimit.observed)],
  ];
  cls.bands.forEach((band, i) => {
    rows.push([
      `expected ${band}`,
      fmt(cls.oneMinusCls.expected[i]),
      fmt(cls.cls.expected[i]),
      fmt(limit.upperLimit.expected[i]),
    ]);
  });
  return table(
    ["", "1 − CLs (μ = 1)", "CLs", "95% CL limit on μ"],
    rows,
    `${results.cls.model} (${results.cls.backend})`,
  );
}

async function renderPoint(result: PointResult): Promise<void> {
  lastPoint = result;
  $("point-section").hidden = false;
  $("point-title").textContent =
    selectedPatch && loaded?.kind === "workspace" ? `Signal point ${selectedPatch}` : "Signal point";
  const box = $("point-results");
  box.replaceChildren(
    resultsTable(result),
    el(
      "p",
      { class: "note", id: "timing" },
      `Computed in ${result.milliseconds.toFixed(0)} ms in a worker; μ̂ = ${fmt(result.muHat)}.`,
    ),
    ...(result.warnings ?? []).map((w) => el("p", { class: "note" }, `Warning: ${w}`)),
  );
  $("results-json").textContent = JSON.stringify({ cls: result.cls, limit: result.limit }, null, 2);
  const p = await plots();
  svgs.brazil = p.renderBrazil($("brazil"), result.brazil);
  svgs.scan = p.renderScan($("scan"), result.scan);
  svgs.pulls = p.renderPulls($("pulls"), result.pulls);
}

// ---------------------------------------------------------------------------------------------
// Computing

async function computePoint(): Promise<void> {
  pointController?.abort();
  const controller = new AbortController();
  pointController = controller;
  setStatus("computing", `Computing ${selectedPatch ?? (loaded as Loaded).name}…`);
  try {
    const result = await pool.run<PointResult>(
      "point",
      { source: sourceFor(selectedPatch) },
      {
        signal: controller.signal,
        onProgress: (value) => {
          const v = value as { step?: string; cls?: PointResult["cls"]; limit?: PointResult["limit"] };
          if (v.step !== "results" || !v.cls || !v.limit || controller.signal.aborted) return;
          // CLs and limits on screen before the Brazil band and the scan are computed.
          $("point-section").hidden = false;
          $("point-results").replaceChildren(resultsTable({ cls: v.cls, limit: v.limit }));
          if (requestedAt !== undefined) {
            document.body.dataset.recomputeMs = (performance.now() - requestedAt).toFixed(1);
            requestedAt = undefined;
          }
        },
      },
    );
    if (controller.signal.aborted) return;
    await renderPoint(result);
    updateUrl();
    setStatus("done", `Done: ${selectedPatch ?? (loaded as Loaded).name}.`);
  } catch (error) {
    if (controller.signal.aborted) return;
    throw error;
  }
}

function cancelAll(): void {
  pointController?.abort();
  allController?.abort();
}

function patchRow(entry: PatchEntry): (Node | string)[] {
  const outcome = patchResults.get(entry.name);
  const button = el(
    "button",
    { type: "button", "data-patch": entry.name, "aria-label": `Show ${entry.name}` },
    entry.name,
  );
  button.addEventListener("click", () => void selectPatch(entry.name));
  const labels = entry.values.map((v) => String(v));
  if (!outcome) return [button, ...labels, "…", "", "", ""];
  if (outcome.status === "error") return [button, ...labels, `failed: ${outcome.error.message}`, "", "", ""];
  const r = outcome.value;
  return [
    button,
    ...labels,
    fmt(r.cls.cls.observed),
    fmt(r.limit.upperLimit.observed),
    fmt(r.limit.upperLimit.expected[2]),
    r.cls.cls.observed < 0.05 ? "yes" : "no",
  ];
}

function renderPatchTable(): void {
  const state = loaded as Loaded;
  if (!state.patches) return;
  const t = table(
    ["patch", ...(state.labels ?? []), "CLs obs", "μ_UL obs", "μ_UL exp", "excluded"],
    state.patches.map((p) => patchRow(p)),
    "Every patch (95% CL)",
  );
  t.querySelectorAll("tbody tr").forEach((tr, i) => {
    if (state.patches?.[i]?.name === selectedPatch) tr.classList.add("selected");
  });
  $("patch-table").replaceChildren(el("div", { class: "scroll" }, t));
}

function exclusionPoints(): ExclusionPoint[] {
  const state = loaded as Loaded;
  return (state.patches ?? []).flatMap((p) => {
    const outcome = patchResults.get(p.name);
    if (!outcome || !p.values.every((v) => typeof v === "number")) return [];
    if (outcome.status === "error") return [{ name: p.name, values: p.values as number[], observed: Number.NaN }];
    return [
      {
        name: p.name,
        values: p.values as number[],
        observed: outcome.value.limit.upperLimit.observed,
        expected: outcome.value.limit.upperLimit.expected,
      },
    ];
  });
}

async function renderExclusion(): Promise<void> {
  const state = loaded as Loaded;
  const points = exclusionPoints();
  if (points.length === 0 || !state.labels || state.labels.length > 2) return;
  const p = await plots();
  svgs.exclusion = p.renderExclusion(
    $("exclusion"),
    points,
    state.labels,
    selectedPatch,
    (name) => void selectPatch(name),
  );
  $("exclusion-exports").hidden = false;
}

async function computeAll(): Promise<void> {
  const state = loaded as Loaded;
  if (!state.patches) return;
  allController?.abort();
  const controller = new AbortController();
  allController = controller;
  patchResults = new Map();
  renderPatchTable();
  const total = state.patches.length;
  const progress = $("progress") as HTMLProgressElement;
  progress.max = total;
  progress.value = 0;
  ($("cancel") as HTMLButtonElement).disabled = false;
  ($("compute-all") as HTMLButtonElement).disabled = true;
  urlState.all = true;
  updateUrl();
  const started = performance.now();
  setStatus("computing", `Computing ${total} patches on ${pool.size} workers…`);
  try {
    const outcomes = await pool.map<ResultsJson>(
      "results",
      state.patches.map((p) => sourceFor(p.name)),
      {
        signal: controller.signal,
        onProgress: (p: MapProgress<ResultsJson>) => {
          const entry = state.patches?.[p.index] as PatchEntry;
          patchResults.set(
            entry.name,
            p.error ? { status: "error", error: p.error } : { status: "ok", value: p.result as ResultsJson },
          );
          progress.value = p.done;
          $("progress-text").textContent = `${p.done} / ${p.total}`;
          if (p.done % Math.max(1, Math.floor(total / 20)) === 0 || p.done === total) renderPatchTable();
        },
      },
    );
    const seconds = (performance.now() - started) / 1000;
    state.patches.forEach((p, i) => patchResults.set(p.name, outcomes[i] as Settled<ResultsJson>));
    renderPatchTable();
    await renderExclusion();
    const failed = outcomes.filter((o) => o.status === "error").length;
    $("results-json").textContent = JSON.stringify(
      state.patches.map((p, i) => {
        const o = outcomes[i] as Settled<ResultsJson>;
        return o.status === "ok"
          ? { patch: p.name, values: p.values, cls: o.value.cls, limit: o.value.limit }
          : { patch: p.name, values: p.values, error: o.error.message };
      }),
      null,
      2,
    );
    document.body.dataset.patchSeconds = seconds.toFixed(3);
    setStatus(
      "done",
      `Done: ${total} patches in ${seconds.toFixed(1)} s on ${pool.size} workers${failed ? `, ${failed} failed` : ""}.`,
    );
  } catch (error) {
    if (controller.signal.aborted) {
      setStatus("cancelled", `Cancelled after ${patchResults.size} of ${total} patches.`);
      renderPatchTable();
      await renderExclusion();
      return;
    }
    throw error;
  } finally {
    ($("cancel") as HTMLButtonElement).disabled = true;
    ($("compute-all") as HTMLButtonElement).disabled = false;
    if (allController === controller) allController = undefined;
  }
}

async function selectPatch(name: string): Promise<void> {
  selectedPatch = name;
  ($("patch-select") as HTMLSelectElement).value = name;
  renderPatchTable();
  if (patchResults.size > 0) await renderExclusion();
  await computePoint();
}

let recomputeTimer: ReturnType<typeof setTimeout> | undefined;
/**
 * Recompute after a what-if change (30 ms debounce); `data-recompute-ms` records the time from the
 * input to the new CLs and limits on screen (the plots follow when their scans are done).
 */
function scheduleRecompute(): void {
  clearTimeout(recomputeTimer);
  requestedAt ??= performance.now();
  recomputeTimer = setTimeout(() => {
    updateUrl();
    guard(async () => {
      await computePoint();
      if (patchResults.size > 0 && loaded?.patches) await computeAll();
    });
  }, 30);
}

function updateUrl(): void {
  const query = writeUrlState({ ...urlState, ...(selectedPatch && loaded?.patches ? { patch: selectedPatch } : {}) });
  history.replaceState(null, "", `${location.pathname}${query}`);
}

function guard(task: () => Promise<void>): void {
  task().catch(showError);
}

// ---------------------------------------------------------------------------------------------
// Exports

function csvOfPatches(): string {
  const state = loaded as Loaded;
  const header = [
    "patch",
    ...(state.labels ?? []),
    "cls_obs",
    ...["m2", "m1", "0", "p1", "p2"].map((b) => `cls_exp_${b}`),
    "ul_obs",
    ...["m2", "m1", "0", "p1", "p2"].map((b) => `ul_exp_${b}`),
    "error",
  ];
  const lines = [header.join(",")];
  for (const p of state.patches ?? []) {
    const o = patchResults.get(p.name);
    if (!o) continue;
    const values = p.values.map(String);
    if (o.status === "error")
      lines.push([p.name, ...values, ...new Array(12).fill(""), JSON.stringify(o.error.message)].join(","));
    else {
      const r = o.value;
      lines.push(
        [
          p.name,
          ...values,
          r.cls.cls.observed,
          ...r.cls.cls.expected,
          r.limit.upperLimit.observed,
          ...r.limit.upperLimit.expected,
          "",
        ].join(","),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

function csvOfPoint(result: PointResult): string {
  const lines = ["quantity,observed,exp_m2,exp_m1,exp_0,exp_p1,exp_p2"];
  lines.push(["one_minus_cls", result.cls.oneMinusCls.observed, ...result.cls.oneMinusCls.expected].join(","));
  lines.push(["cls", result.cls.cls.observed, ...result.cls.cls.expected].join(","));
  lines.push(["upper_limit", result.limit.upperLimit.observed, ...result.limit.upperLimit.expected].join(","));
  return `${lines.join("\n")}\n`;
}

async function exportThing(kind: string): Promise<void> {
  const p = await plots();
  const base = (selectedPatch ?? loaded?.name ?? "spey").replace(/\.json$/i, "");
  const json = (value: unknown) => new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: "application/json" });
  const csv = (text: string) => new Blob([text], { type: "text/csv" });
  const [what, format] = kind.split("-") as [string, string];
  if (what === "point" && lastPoint) {
    if (format === "json") p.download(json({ cls: lastPoint.cls, limit: lastPoint.limit }), `${base}-results.json`);
    else p.download(csv(csvOfPoint(lastPoint)), `${base}-results.csv`);
    return;
  }
  if (what === "patches") {
    if (format === "csv") p.download(csv(csvOfPatches()), "patches.csv");
    else p.download(json(Object.fromEntries(patchResults)), "patches.json");
    return;
  }
  const svg = svgs[what];
  if (!svg) throw new Error(`nothing to export yet: compute the ${what} plot first.`);
  if (format === "svg") p.downloadSvg(svg, `${base}-${what}.svg`);
  else await p.downloadPng(svg, `${base}-${what}.png`);
}

// ---------------------------------------------------------------------------------------------
// Wiring

const EXAMPLES: Record<string, Partial<UrlState>> = {
  model: { model: "examples/cms-8bin.json" },
  plane: { workspace: "examples/histfactory/BkgOnly.json", patchset: "examples/histfactory/plane/patchset.json" },
  archive: { archive: "examples/plane-likelihoods.tar.gz" },
};

async function start(state: UrlState, computeEverything: boolean): Promise<void> {
  urlState = state;
  await loadUrls(state);
  updateUrl();
  if (loaded?.patches && (computeEverything || state.patch === undefined)) {
    await computeAll();
    if (document.body.dataset.status === "cancelled") return;
    if (state.patch !== undefined) await computePoint();
  } else await computePoint();
}

function wire(): void {
  const input = $("file-input") as HTMLInputElement;
  input.addEventListener("change", () => {
    const files = Array.from(input.files ?? []);
    if (files.length === 0) return;
    guard(async () => {
      urlState = { all: false, whatIf: { ...DEFAULT_WHAT_IF } };
      await loadSources(files, {});
      updateUrl();
      if (loaded?.patches) await computeAll();
      else await computePoint();
    });
    input.value = "";
  });
  const zone = $("drop-zone");
  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  document.addEventListener("dragleave", () => zone.classList.remove("over"));
  document.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const files = Array.from((event as DragEvent).dataTransfer?.files ?? []);
    if (files.length === 0) return;
    guard(async () => {
      urlState = { all: false, whatIf: { ...DEFAULT_WHAT_IF } };
      await loadSources(files, {});
      updateUrl();
      if (loaded?.patches) await computeAll();
      else await computePoint();
    });
  });
  $("url-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const urls = ($("url-input") as HTMLInputElement).value.trim().split(/\s+/).filter(Boolean);
    if (urls.length === 0) return;
    guard(async () => {
      const { fetchInput } = await io();
      setStatus("loading", `Fetching ${urls.join(", ")}…`);
      const inputs = await Promise.all(urls.map((u) => fetchInput(u)));
      urlState = { all: false, whatIf: { ...DEFAULT_WHAT_IF } };
      await loadSources(
        inputs.map((i) => ({ name: i.name, content: i.content as Uint8Array })),
        urls.length === 1 ? { archive: urls[0] as string } : {},
      );
      updateUrl();
      if (loaded?.patches) await computeAll();
      else await computePoint();
    });
  });
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>("[data-example]"))) {
    button.addEventListener("click", () => {
      const example = EXAMPLES[button.dataset.example as string] as Partial<UrlState>;
      guard(() => start({ all: false, whatIf: { ...DEFAULT_WHAT_IF }, ...example }, true));
    });
  }
  for (const [id, key] of [
    ["signal-scale", "signal"],
    ["lumi-scale", "lumi"],
    ["syst-scale", "syst"],
  ] as const) {
    const range = $(id) as HTMLInputElement;
    range.addEventListener("input", () => {
      urlState.whatIf = { ...urlState.whatIf, [key]: Number(range.value) } as WhatIf;
      $(`${id}-out`).textContent = range.value;
      if (loaded) scheduleRecompute();
    });
  }
  $("whatif-reset").addEventListener("click", () => {
    urlState.whatIf = { ...DEFAULT_WHAT_IF };
    yieldEdits = {};
    syncWhatIfControls();
    renderYieldsEditor();
    if (loaded) scheduleRecompute();
  });
  ($("patch-select") as HTMLSelectElement).addEventListener("change", (event) => {
    guard(() => selectPatch((event.target as HTMLSelectElement).value));
  });
  $("compute-all").addEventListener("click", () => guard(computeAll));
  $("cancel").addEventListener("click", () => allController?.abort());
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>("[data-export]"))) {
    button.addEventListener("click", () => guard(() => exportThing(button.dataset.export as string)));
  }
  $("copy-link").addEventListener("click", () => {
    guard(async () => {
      updateUrl();
      await navigator.clipboard.writeText(location.href).catch(() => undefined);
      $("status").textContent = `Link to this state: ${location.href}`;
    });
  });
  window.addEventListener("unhandledrejection", (event) => showError(event.reason));
}

/** Offline use after the first visit: the service worker caches the whole build (data-offline="ready"). */
function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker
    .register("./sw.js")
    .then(() => navigator.serviceWorker.ready)
    .then(() => {
      document.body.dataset.offline = "ready";
    })
    .catch(() => {
      document.body.dataset.offline = "unavailable";
    });
}

wire();
registerServiceWorker();
try {
  const initial = readUrlState(location.search);
  const hasInput = initial.model || initial.workspace || initial.archive;
  if (hasInput) guard(() => start(initial, initial.all));
  else setStatus("idle", "No likelihood loaded.");
} catch (error) {
  showError(error);
}
