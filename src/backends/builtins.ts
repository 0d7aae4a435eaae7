import type { BackendClass } from "./backend-base.js";
import { MultivariateNormal } from "./simple/multivariate-normal.js";
import { Normal } from "./simple/normal.js";
import { Poisson } from "./simple/poisson.js";

/** The backends that ship with the package, registered at start-up. */
export const BUILTIN_BACKENDS: readonly BackendClass[] = [Poisson, Normal, MultivariateNormal];
