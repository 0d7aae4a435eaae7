/**
 * The page state kept in the URL, so that a view can be shared: the inputs (by URL), the selected
 * patch and the what-if values. `?model=URL`, `?workspace=URL&patchset=URL&patch=NAME`,
 * `?archive=URL`, plus `signal`, `lumi`, `syst` (factors) and `all=1` (compute every patch).
 */

export interface WhatIf {
  signal: number;
  lumi: number;
  syst: number;
}

export interface UrlState {
  model?: string;
  workspace?: string;
  patchset?: string;
  archive?: string;
  patch?: string;
  all: boolean;
  whatIf: WhatIf;
}

export const DEFAULT_WHAT_IF: WhatIf = { signal: 1, lumi: 1, syst: 1 };

function factor(params: URLSearchParams, name: string): number {
  const raw = params.get(name);
  if (raw === null) return 1;
  const value = Number(raw);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new Error(`the URL parameter ${name}=${raw} must be a positive number (a scale factor, 1 = unchanged).`);
  }
  return value;
}

/** Read the state from `location.search`. Throws with a message naming a bad parameter. */
export function readUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const get = (name: string) => params.get(name) ?? undefined;
  const state: UrlState = {
    all: params.get("all") === "1",
    whatIf: { signal: factor(params, "signal"), lumi: factor(params, "lumi"), syst: factor(params, "syst") },
  };
  for (const key of ["model", "workspace", "patchset", "archive", "patch"] as const) {
    const value = get(key);
    if (value !== undefined) state[key] = value;
  }
  if (state.patchset !== undefined && state.workspace === undefined) {
    throw new Error("the URL gives patchset= without workspace=; give both (?workspace=URL&patchset=URL&patch=NAME).");
  }
  return state;
}

/** The query string of a state (default what-if values left out). */
export function writeUrlState(state: UrlState): string {
  const params = new URLSearchParams();
  for (const key of ["model", "workspace", "patchset", "archive", "patch"] as const) {
    const value = state[key];
    if (value !== undefined) params.set(key, value);
  }
  if (state.all) params.set("all", "1");
  if (state.whatIf.signal !== 1) params.set("signal", String(state.whatIf.signal));
  if (state.whatIf.lumi !== 1) params.set("lumi", String(state.whatIf.lumi));
  if (state.whatIf.syst !== 1) params.set("syst", String(state.whatIf.syst));
  const text = params.toString();
  return text ? `?${text}` : "";
}
