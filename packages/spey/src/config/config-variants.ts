import type { AllowNegativeSignalOption, ModelConfig } from "./model-config.js";

/** Options of {@link BackendBase.config} (spey's `config(allow_negative_signal, poi_upper_bound)`). */
export interface ConfigOptions extends AllowNegativeSignalOption {
  // allowNegativeSignal: μ may go down to `minimumPoi` (default true here)
  /** Upper bound of μ (default 10, as spey). */
  readonly poiUpperBound?: number;
}

/**
 * A backend's stored configuration and the variants `config({allowNegativeSignal, poiUpperBound})`
 * derives from it: μ ∈ [minimumPoi, upper] when negative signal is allowed, [0, upper] otherwise
 * (spey forced the lower end to 0 whenever the upper bound differed from 10, README, Differences from spey; here
 * `allowNegativeSignal` is honoured). Variants are immutable and cached.
 */
export class ConfigVariants {
  readonly #variants = new Map<string, ModelConfig>();

  declare readonly stored: ModelConfig;
  readonly #defaultUpperBound: number;
  constructor(stored: ModelConfig, defaultUpperBound = 10) {
    this.stored = stored;
    this.#defaultUpperBound = defaultUpperBound;
  }

  get(options: ConfigOptions = {}): ModelConfig {
    const allow = options.allowNegativeSignal ?? true;
    const upper = options.poiUpperBound ?? this.#defaultUpperBound;
    if (allow && upper === this.#defaultUpperBound) return this.stored;
    const key = `${allow}|${upper}`;
    let config = this.#variants.get(key);
    if (!config) {
      config = this.stored.rescalePoiBounds({ allowNegativeSignal: allow, poiUpperBound: upper });
      this.#variants.set(key, config);
    }
    return config;
  }
}
