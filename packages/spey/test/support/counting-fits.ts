/** Counts the fitter's runs while `f` runs: one activity report per start of a fit (core/activity.ts). */
import { setActivityHandler } from "../../src/core/activity.js";

export function countingFits<T>(f: () => T): { value: T; fits: number } {
  let fits = 0;
  setActivityHandler(() => {
    fits++;
  });
  try {
    return { value: f(), fits };
  } finally {
    setActivityHandler(null);
  }
}
