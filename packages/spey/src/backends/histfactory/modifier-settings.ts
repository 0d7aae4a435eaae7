/**
 * Interpolation codes of normsys and histosys modifiers (pyhf's `modifier_settings`): the pyhf and
 * ROOT defaults and the check of a user's settings.
 */
import { describeValue, hasOwn, isArray } from "../../core/describe.js";
import { InvalidInput } from "../../core/errors.js";
import type { ResolvedModifierSettings } from "./modifiers/types.js";

/** Interpolation codes as pyhf's `modifier_settings` spells them. */
export interface ModifierSettings {
  readonly normsys?: { readonly interpcode?: "code1" | "code4" };
  readonly histosys?: { readonly interpcode?: "code0" | "code2" | "code4p" };
}

/** pyhf's (and spey-pyhf's) defaults: normsys code 4, histosys code 4p. */
export const PYHF_MODIFIER_SETTINGS: ResolvedModifierSettings = { normsys: "code4", histosys: "code4p" };

/** HistFactory's (and ROOT's) defaults, used by pyhf's ROOT validation: normsys code 1, histosys code 0. */
export const ROOT_MODIFIER_SETTINGS: ResolvedModifierSettings = { normsys: "code1", histosys: "code0" };

/** Check and complete `modifierSettings` (missing entries take `defaults`). */
export function resolveModifierSettings(
  input: unknown,
  defaults: ResolvedModifierSettings = PYHF_MODIFIER_SETTINGS,
): ResolvedModifierSettings {
  if (input === undefined || input === null) return defaults;
  if (typeof input !== "object" || isArray(input)) {
    throw new InvalidInput(
      `modifierSettings must be an object like {normsys: {interpcode: "code1"}, histosys: {interpcode: "code0"}}; got ${describeValue(input)}.`,
    );
  }
  const settings = input as Record<string, unknown>;
  for (const key of Object.keys(settings)) {
    if (key !== "normsys" && key !== "histosys") {
      throw new InvalidInput(`modifierSettings.${key}: only normsys and histosys have interpolation codes.`);
    }
  }
  const code = (key: "normsys" | "histosys", allowed: readonly string[]): string => {
    const entry = settings[key];
    if (entry === undefined) return defaults[key];
    if (typeof entry !== "object" || entry === null || !hasOwn(entry, "interpcode")) {
      throw new InvalidInput(
        `modifierSettings.${key} must be {interpcode: ${allowed.map((a) => `"${a}"`).join(" | ")}}.`,
      );
    }
    const value = (entry as { interpcode: unknown }).interpcode;
    if (typeof value !== "string" || !allowed.includes(value)) {
      throw new InvalidInput(
        `modifierSettings.${key}.interpcode must be one of ${allowed.map((a) => `"${a}"`).join(", ")}; got ${describeValue(value)}.`,
      );
    }
    return value;
  };
  return {
    normsys: code("normsys", ["code1", "code4"]) as "code1" | "code4",
    histosys: code("histosys", ["code0", "code2", "code4p"]) as "code0" | "code2" | "code4p",
  };
}

/** The `modifierSettings` object of resolved interpolation codes. */
export function modifierSettingsOf(settings: ResolvedModifierSettings): ModifierSettings {
  return { normsys: { interpcode: settings.normsys }, histosys: { interpcode: settings.histosys } };
}
