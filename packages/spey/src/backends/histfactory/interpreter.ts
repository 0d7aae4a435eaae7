/**
 * spey-pyhf's workspace interpreter (`spey_pyhf.helper_functions.WorkspaceInterpreter`,
 * spey-pyhf ≥ 0.2.1): book-keeping on a background-only pyhf workspace — inject signal yields per
 * channel and turn them into the JSON Patch pyhf (and the `pyhf` backend) applies, remove channels,
 * read a patch back, and derive workspaces with extrapolated luminosity or rescaled systematics.
 * Pure data manipulation: no file system, safe in browsers. Operations that derive a workspace
 * return a new interpreter and leave this one (and its workspace object) untouched.
 *
 * @example
 * const interpreter = new WorkspaceInterpreter(backgroundOnly);
 * interpreter.injectSignal("SR_high", [1.2, 0.8]);
 * for (const cr of interpreter.guessCRVR()) interpreter.removeChannel(cr);
 * const model = getBackend("pyhf")({ backgroundOnlyModel: backgroundOnly, signalPatch: interpreter.makePatch() });
 */
import { InvalidInput } from "../../core/errors.js";
import { logWarning } from "../../core/logger.js";
import { guessChannelType } from "./simplify.js";
import type { JsonPatch } from "./json-patch.js";
import type { ModifierSpec, ModifierType, WorkspaceSpec } from "./schema.js";
import { Workspace } from "./workspace.js";
import { isFiniteNumber, isArray, stringify, entriesOf } from "../../core/describe.js";

/** Modifier types of systematic (non-statistical) uncertainties (spey-pyhf's `SYSTEMATIC_MODIFIER_TYPES`). */
export const SYSTEMATIC_MODIFIER_TYPES: readonly ModifierType[] = ["normsys", "histosys", "lumi"];
/** Modifier types of statistical (Poisson / MC) uncertainties (spey-pyhf's `STATISTICAL_MODIFIER_TYPES`). */
export const STATISTICAL_MODIFIER_TYPES: readonly ModifierType[] = ["staterror", "shapesys"];

/** A region type guessed from a channel name. */
export type ChannelType = "CR" | "VR" | "SR" | "__unknown__";

/** What {@link WorkspaceInterpreter.patchToMap} reads from a signal patch. */
export interface SignalMap {
  /** channel → signal yields */
  readonly signal: Record<string, number[]>;
  /** channel → modifiers of the signal sample */
  readonly modifiers: Record<string, ModifierSpec[]>;
  /** channels the patch removes */
  readonly removed: string[];
}

/** Options of {@link WorkspaceInterpreter.scaleSystematics}. */
export interface ScaleSystematicsOptions {
  /** Modifier types to rescale (default normsys and histosys; staterror/shapesys are refused). */
  readonly modifierTypes?: readonly ModifierType[];
  /** Only these channels (default all). */
  readonly channels?: readonly string[];
  /** Only these samples (default all; the injected signal is the sample "Signal"). */
  readonly samples?: readonly string[];
  /** Only modifiers with these names (default all). */
  readonly modifiers?: readonly string[];
}

/** Options of {@link WorkspaceInterpreter.summary}. */
export interface SummaryOptions {
  /** Only this measurement's section. */
  readonly measurementName?: string;
  /** List every sample with its total yield. */
  readonly showSamples?: boolean;
  /** List every modifier (implies `showSamples`). */
  readonly showModifiers?: boolean;
  /** Channels listed per measurement (default 50). */
  readonly maxChannels?: number;
}

const clone = <T>(x: T): T => JSON.parse(stringify(x)) as T;

function defaultModifiers(poiName: string, includeLumi: boolean): ModifierSpec[] {
  const mods: ModifierSpec[] = [{ data: null, name: poiName, type: "normfactor" } as ModifierSpec];
  if (includeLumi) mods.unshift({ data: null, name: "lumi", type: "lumi" } as ModifierSpec);
  return mods;
}

function sameModifier(a: ModifierSpec, b: ModifierSpec): boolean {
  return a.name === b.name && a.type === b.type && stringify(a.data) === stringify(b.data);
}

function finiteList(values: unknown, argument: string): number[] {
  if (!isArray(values) && !ArrayBuffer.isView(values)) {
    throw new InvalidInput(`${argument} must be an array of numbers.`);
  }
  const out = Array.from(values as ArrayLike<unknown>, (v, i) => {
    if (!isFiniteNumber(v)) {
      throw new InvalidInput(`${argument}[${i}] must be a finite number; got ${String(v)}.`);
    }
    return v as number;
  });
  return out;
}

/**
 * Absolute parts of a modifier scaled by a luminosity factor (spey-pyhf's
 * `_scale_modifier_for_lumi`): histosys templates, shapesys and staterror absolute uncertainties;
 * normsys, normfactor, lumi and shapefactor are dimensionless and left alone.
 */
function scaleModifierForLumi(modifier: ModifierSpec, factor: number): void {
  const m = modifier as { type: string; data: unknown };
  if (m.data === null || m.data === undefined) return;
  if (m.type === "histosys") {
    const d = m.data as { hi_data: number[]; lo_data: number[] };
    m.data = { hi_data: d.hi_data.map((x) => x * factor), lo_data: d.lo_data.map((x) => x * factor) };
  } else if (m.type === "shapesys" || m.type === "staterror") {
    m.data = (m.data as number[]).map((x) => x * factor);
  }
}

/**
 * A systematic's deviation scaled by `fraction` (spey-pyhf's `_rescale_systematic_modifier`):
 * normsys hi/lo around 1, histosys templates around the nominal yields; lumi carries its width in
 * the measurement and is not touched here.
 */
function rescaleSystematic(modifier: ModifierSpec, fraction: number, nominal: readonly number[]): void {
  const m = modifier as { type: string; data: unknown };
  if (m.data === null || m.data === undefined) return;
  if (m.type === "normsys") {
    const d = m.data as { hi: number; lo: number };
    m.data = { hi: 1 + (d.hi - 1) * fraction, lo: 1 + (d.lo - 1) * fraction };
  } else if (m.type === "histosys") {
    const d = m.data as { hi_data: number[]; lo_data: number[] };
    m.data = {
      hi_data: d.hi_data.map((h, i) => (nominal[i] as number) + (h - (nominal[i] as number)) * fraction),
      lo_data: d.lo_data.map((l, i) => (nominal[i] as number) + (l - (nominal[i] as number)) * fraction),
    };
  }
}

/** spey-pyhf's `WorkspaceInterpreter` (see the module documentation). */
export class WorkspaceInterpreter {
  /** The background-only workspace (not copied; derived workspaces are new objects). */
  declare readonly backgroundOnlyModel: WorkspaceSpec;
  #signalDict: Map<string, number[]> = new Map();
  #signalMods: Map<string, ModifierSpec[]> = new Map();
  #toRemove: string[] = [];

  /** @param backgroundOnlyModel a pyhf workspace (object or {@link Workspace}); validated. */
  constructor(backgroundOnlyModel: WorkspaceSpec | Workspace) {
    if (backgroundOnlyModel instanceof Workspace) {
      this.backgroundOnlyModel = backgroundOnlyModel.toJSON();
    } else {
      // Validate (the schema errors name the JSON path) but keep the caller's object.
      new Workspace(backgroundOnlyModel);
      this.backgroundOnlyModel = backgroundOnlyModel;
    }
  }

  /** A top-level member of the workspace (`channels`, `observations`, `measurements`, `version`). */
  get<K extends keyof WorkspaceSpec>(item: K): WorkspaceSpec[K] {
    return this.backgroundOnlyModel[item];
  }

  /** Channel names in workspace order. */
  get channels(): string[] {
    return this.backgroundOnlyModel.channels.map((c) => c.name);
  }

  /** Whether a measurement declares a `lumi` parameter (only then the default signal gets a lumi modifier). */
  get hasLumiParameter(): boolean {
    return this.backgroundOnlyModel.measurements.some((m) => m.config.parameters.some((p) => p.name === "lumi"));
  }

  /** `[measurement name, POI name]` per measurement. */
  get poiName(): [string, string][] {
    return this.backgroundOnlyModel.measurements.map((m) => [m.name, m.config.poi]);
  }

  /** Number of bins per channel. */
  get binMap(): Record<string, number> {
    return Object.fromEntries(this.backgroundOnlyModel.channels.map((c) => [c.name, c.samples[0]?.data.length ?? 0]));
  }

  /**
   * Total nominal background per channel that stays in the model (channels marked for removal
   * skipped); warns about kept channels without injected signal.
   */
  get expectedBackgroundYields(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    const undefinedChannels: string[] = [];
    for (const channel of this.backgroundOnlyModel.channels) {
      if (this.#toRemove.includes(channel.name)) continue;
      const total = new Array<number>(channel.samples[0]?.data.length ?? 0).fill(0);
      for (const s of channel.samples) s.data.forEach((v, i) => (total[i] = (total[i] as number) + v));
      out[channel.name] = total;
      if (!this.#signalDict.has(channel.name)) undefinedChannels.push(channel.name);
    }
    if (undefinedChannels.length > 0) {
      logWarning(
        `Some channels have no signal and are not marked for removal; they stay in the model: ${undefinedChannels.join(", ")}.`,
      );
    }
    return out;
  }

  #requireChannel(name: string, argument: string): void {
    if (!this.channels.includes(name)) {
      throw new InvalidInput(
        `${argument}: "${name}" is not a channel of the workspace; channels: ${this.channels.join(", ")}.`,
      );
    }
  }

  /** "CR", "VR" or "SR" when the upper-cased name contains it (first match in that order), else "__unknown__". */
  guessChannelType(channelName: string): ChannelType {
    this.#requireChannel(channelName, "guessChannelType");
    return guessChannelType(channelName);
  }

  /** Channels that look like control or validation regions (spey-pyhf's `guess_CRVR`). */
  guessCRVR(): string[] {
    return this.channels.filter((c) => {
      const t = this.guessChannelType(c);
      return t === "CR" || t === "VR";
    });
  }

  /** Names of the channels given by index or name, in workspace order. */
  getChannels(channelIndex: readonly (number | string)[]): string[] {
    return this.channels.filter((name, i) => channelIndex.includes(i) || channelIndex.includes(name));
  }

  /**
   * Register signal yields in a channel. Without `modifiers` the signal gets a normfactor named
   * after the POI (and a `lumi` modifier when the measurement declares `lumi`); given modifiers are
   * completed with those defaults (the caller's array is not modified).
   */
  injectSignal(channel: string, data: ArrayLike<number>, modifiers?: readonly ModifierSpec[]): void {
    this.#requireChannel(channel, "injectSignal");
    const yields = finiteList(data, "data");
    const nbins = this.binMap[channel] as number;
    if (yields.length !== nbins) {
      throw new InvalidInput(
        `injectSignal: channel "${channel}" has ${nbins} bins; got ${yields.length} signal yields.`,
      );
    }
    const poi = this.poiName[0]?.[1];
    if (poi === undefined) throw new InvalidInput("injectSignal: the workspace declares no measurement (no POI).");
    const defaults = defaultModifiers(poi, this.hasLumiParameter);
    let mods: ModifierSpec[];
    if (modifiers === undefined) mods = defaults;
    else {
      if (!isArray(modifiers)) throw new InvalidInput("injectSignal: modifiers must be an array of pyhf modifiers.");
      mods = clone([...modifiers]);
      for (const d of defaults) if (!mods.some((m) => sameModifier(m, d))) mods.push(d);
    }
    this.#signalDict.set(channel, yields);
    this.#signalMods.set(channel, mods);
  }

  /** Signal yields per channel. */
  get signalPerChannel(): Record<string, number[]> {
    return Object.fromEntries([...this.#signalDict].map(([k, v]) => [k, [...v]]));
  }

  /** Modifiers of the signal sample per channel. */
  get signalModifiers(): Record<string, ModifierSpec[]> {
    return Object.fromEntries([...this.#signalMods].map(([k, v]) => [k, clone(v)]));
  }

  /** Mark a channel for removal from the likelihood (idempotent). */
  removeChannel(channelName: string): void {
    this.#requireChannel(channelName, "removeChannel");
    if (!this.#toRemove.includes(channelName)) this.#toRemove.push(channelName);
  }

  /** Channels marked for removal. */
  get removeList(): string[] {
    return [...this.#toRemove];
  }

  /**
   * The JSON Patch of the signal (spey-pyhf's `make_patch`): one `add` of a sample "Signal" at
   * `/channels/i/samples/0` per channel with signal, then the `remove`s of marked channels in
   * descending index order (so that earlier indices stay valid while the patch is applied).
   */
  makePatch(): JsonPatch {
    if (this.#signalDict.size === 0) {
      throw new InvalidInput("makePatch: no signal yields; add signal yields with injectSignal first.");
    }
    const adds: JsonPatch[number][] = [];
    const removes: { index: number; op: JsonPatch[number] }[] = [];
    this.channels.forEach((channel, i) => {
      if (this.#toRemove.includes(channel)) {
        removes.push({ index: i, op: { op: "remove", path: `/channels/${i}` } as JsonPatch[number] });
      } else if (this.#signalDict.has(channel)) {
        adds.push({
          op: "add",
          path: `/channels/${i}/samples/0`,
          value: {
            name: "Signal",
            data: [...(this.#signalDict.get(channel) as number[])],
            modifiers: clone(this.#signalMods.get(channel) as ModifierSpec[]),
          },
        } as JsonPatch[number]);
      } else {
        logWarning(`Channel "${channel}" has no signal and is not removed: it stays in the model without signal.`);
      }
    });
    removes.sort((a, b) => b.index - a.index);
    return [...adds, ...removes.map((r) => r.op)];
  }

  /** Forget injected signals and channel removals. */
  resetSignal(): void {
    this.#signalDict = new Map();
    this.#signalMods = new Map();
    this.#toRemove = [];
  }

  /** Read a signal patch back into signal yields, modifiers and removals (spey-pyhf's `patch_to_map`). */
  patchToMap(signalPatch: JsonPatch): SignalMap {
    if (!isArray(signalPatch)) throw new InvalidInput("signalPatch must be a JSON Patch (an array of operations).");
    const signal: Record<string, number[]> = {};
    const modifiers: Record<string, ModifierSpec[]> = {};
    const removed: string[] = [];
    signalPatch.forEach((item, k) => {
      const op = item as { op?: unknown; path?: unknown; value?: { data?: unknown; modifiers?: unknown } };
      const match = typeof op.path === "string" ? /^\/channels\/(\d+)(\/|$)/.exec(op.path) : null;
      const index = match ? Number(match[1]) : -1;
      const channel = this.backgroundOnlyModel.channels[index]?.name;
      if (channel === undefined) {
        throw new InvalidInput(
          `signalPatch[${k}].path ${String(op.path)} does not point into /channels/<index> of the workspace.`,
        );
      }
      if (op.op === "add") {
        signal[channel] = finiteList(op.value?.data, `signalPatch[${k}].value.data`);
        modifiers[channel] =
          op.value?.modifiers === undefined
            ? defaultModifiers(this.poiName[0]?.[1] ?? "mu", this.hasLumiParameter)
            : clone(op.value.modifiers as ModifierSpec[]);
      } else if (op.op === "remove") {
        removed.push(channel);
      }
    });
    return { signal, modifiers, removed };
  }

  /** Replace the signal configuration by the one of a patch (spey-pyhf's `add_patch`). */
  addPatch(signalPatch: JsonPatch): void {
    const map = this.patchToMap(signalPatch);
    this.#signalDict = new Map(entriesOf(map.signal));
    this.#signalMods = new Map(entriesOf(map.modifiers));
    this.#toRemove = [...map.removed];
  }

  #derived(
    model: WorkspaceSpec,
    signal: Map<string, number[]>,
    mods: Map<string, ModifierSpec[]>,
  ): WorkspaceInterpreter {
    const out = new WorkspaceInterpreter(model);
    out.#signalDict = signal;
    out.#signalMods = mods;
    out.#toRemove = [...this.#toRemove];
    return out;
  }

  /**
   * A copy at `factor` times the luminosity (spey-pyhf's `extrapolate_luminosity`): sample yields,
   * observations, injected signals and the absolute uncertainties (histosys templates, shapesys,
   * staterror) scaled by `factor`, so that relative uncertainties stay the same.
   */
  extrapolateLuminosity(factor: number): WorkspaceInterpreter {
    if (!isFiniteNumber(factor) || factor <= 0) {
      throw new InvalidInput(
        `extrapolateLuminosity: the luminosity factor must be a finite number > 0; got ${String(factor)}.`,
      );
    }
    const model = clone(this.backgroundOnlyModel);
    for (const o of model.observations) o.data = o.data.map((d) => d * factor);
    for (const c of model.channels) {
      for (const s of c.samples) {
        s.data = s.data.map((d) => d * factor);
        for (const m of s.modifiers) scaleModifierForLumi(m, factor);
      }
    }
    const signal = new Map([...this.#signalDict].map(([k, v]) => [k, v.map((y) => y * factor)]));
    const mods = new Map(
      [...this.#signalMods].map(([k, v]) => {
        const copy = clone(v);
        for (const m of copy) scaleModifierForLumi(m, factor);
        return [k, copy];
      }),
    );
    return this.#derived(model, signal, mods);
  }

  /**
   * A copy with the deviations of systematic modifiers multiplied by `fraction` (spey-pyhf's
   * `scale_systematics`; 0 removes them, 1 changes nothing), optionally restricted to some
   * channels, samples (the injected signal is "Signal") and modifier names. Statistical modifiers
   * (staterror, shapesys) cannot be rescaled.
   */
  scaleSystematics(fraction: number, options: ScaleSystematicsOptions = {}): WorkspaceInterpreter {
    if (!isFiniteNumber(fraction) || fraction < 0) {
      throw new InvalidInput(
        `scaleSystematics: the fraction must be a finite non-negative number; got ${String(fraction)}.`,
      );
    }
    const types = options.modifierTypes ?? (["normsys", "histosys"] as ModifierType[]);
    const statistical = types.filter((t) => STATISTICAL_MODIFIER_TYPES.includes(t));
    if (statistical.length > 0) {
      throw new InvalidInput(
        `scaleSystematics: cannot rescale statistical modifier types [${statistical.join(", ")}]; it only rescales systematic uncertainties (${SYSTEMATIC_MODIFIER_TYPES.join(", ")}).`,
      );
    }
    for (const c of options.channels ?? []) this.#requireChannel(c, "scaleSystematics channels");
    const applies = (channel: string, sample: string, m: ModifierSpec) =>
      types.includes(m.type) &&
      (options.channels === undefined || options.channels.includes(channel)) &&
      (options.samples === undefined || options.samples.includes(sample)) &&
      (options.modifiers === undefined || options.modifiers.includes(m.name));
    const model = clone(this.backgroundOnlyModel);
    for (const c of model.channels) {
      for (const s of c.samples) {
        for (const m of s.modifiers) if (applies(c.name, s.name, m)) rescaleSystematic(m, fraction, s.data);
      }
    }
    const mods = new Map(
      [...this.#signalMods].map(([channel, v]) => {
        const copy = clone(v);
        const yields = this.#signalDict.get(channel) as number[];
        for (const m of copy) if (applies(channel, "Signal", m)) rescaleSystematic(m, fraction, yields);
        return [channel, copy];
      }),
    );
    const signal = new Map([...this.#signalDict].map(([k, v]) => [k, [...v]]));
    return this.#derived(model, signal, mods);
  }

  /**
   * A text summary of the workspace and the signal configuration (spey-pyhf's `summary`, which
   * prints it; here it is returned, for consoles and web pages alike).
   */
  summary(options: SummaryOptions = {}): string {
    const ws = this.backgroundOnlyModel;
    const maxChannels = options.maxChannels ?? 50;
    const showSamples = options.showSamples === true || options.showModifiers === true;
    const sep = "=".repeat(60);
    const lines: string[] = [
      sep,
      "pyhf Workspace Summary",
      `  version       : ${ws.version ?? "?"}`,
      `  channels      : ${ws.channels.length}`,
      `  measurements  : ${ws.measurements.length}`,
      `  observations  : ${ws.observations.length}`,
      "",
    ];
    if (ws.measurements.length === 0) {
      lines.push("(no measurements declared)", sep);
      return `${lines.join("\n")}\n`;
    }
    const bins = this.binMap;
    const observed = new Map(ws.observations.map((o) => [o.name, o.data]));
    const g = (x: number) => String(Number(x.toPrecision(6)));
    for (const m of ws.measurements) {
      if (options.measurementName !== undefined && m.name !== options.measurementName) continue;
      const params = m.config.parameters;
      lines.push(`Measurement : ${m.name}`, `  POI         : ${m.config.poi}`);
      if (params.length > 0) {
        const shown = params
          .slice(0, 6)
          .map((p) => p.name)
          .join(", ");
        lines.push(
          `  Parameters  : ${params.length} (${shown}${params.length > 6 ? ` ... (+${params.length - 6} more)` : ""})`,
        );
      } else lines.push("  Parameters  : 0");
      lines.push(`  Channels (${ws.channels.length}):`);
      ws.channels.slice(0, maxChannels).forEach((c, i) => {
        const region = this.guessChannelType(c.name);
        const tag = region === "__unknown__" ? "[   ]" : `[${region}]`;
        const counts = new Map<string, number>();
        for (const s of c.samples) for (const mod of s.modifiers) counts.set(mod.type, (counts.get(mod.type) ?? 0) + 1);
        const modStr =
          counts.size > 0
            ? [...counts]
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([t, n]) => `${t}:${n}`)
                .join(", ")
            : "-";
        const obsTotal = (observed.get(c.name) ?? []).reduce((s, v) => s + v, 0);
        const bgTotal = c.samples.reduce((s, smp) => s + smp.data.reduce((a, v) => a + v, 0), 0);
        const signal = this.#signalDict.get(c.name);
        const inj = signal ? `  <- signal: total=${g(signal.reduce((a, v) => a + v, 0))}` : "";
        const removed = this.#toRemove.includes(c.name) ? "  [REMOVED]" : "";
        const nb = bins[c.name] as number;
        lines.push(
          `    ${String(i + 1).padStart(4)}. ${tag} ${c.name}  (${nb} ${nb === 1 ? "bin" : "bins"}, ${c.samples.length} ${c.samples.length === 1 ? "sample" : "samples"}, obs=${g(obsTotal)}, bkg=${g(bgTotal)}, modifiers: ${modStr})${inj}${removed}`,
        );
        if (showSamples) {
          for (const s of c.samples) {
            lines.push(`          sample: ${s.name} (total=${g(s.data.reduce((a, v) => a + v, 0))})`);
            if (options.showModifiers)
              for (const mod of s.modifiers) lines.push(`            modifier: ${mod.name} (${mod.type})`);
          }
        }
      });
      if (ws.channels.length > maxChannels) lines.push(`    ... ${ws.channels.length - maxChannels} more not shown`);
      lines.push("");
    }
    if (this.#signalDict.size > 0) {
      lines.push(`Injected signal: ${this.#signalDict.size} channel(s)`);
      for (const [c, v] of this.#signalDict)
        lines.push(`  ${c}: ${v.length} bins, total=${g(v.reduce((a, x) => a + x, 0))}`);
    }
    if (this.#toRemove.length > 0) {
      lines.push(`Channels to remove (${this.#toRemove.length}):`);
      for (const c of this.#toRemove) lines.push(`  ${c}`);
    }
    lines.push(sep);
    return `${lines.join("\n")}\n`;
  }
}
