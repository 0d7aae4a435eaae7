/** The HistFactory modifiers, in pyhf's registration order (`pyhf.modifiers.histfactory_set`). */
import type { ModifierType } from "../schema.js";
import { histosys } from "./histosys.js";
import { lumi } from "./lumi.js";
import { normfactor } from "./normfactor.js";
import { normsys } from "./normsys.js";
import { shapefactor } from "./shapefactor.js";
import { shapesys } from "./shapesys.js";
import { staterror } from "./staterror.js";
import type { ModifierImplementation } from "./types.js";

export const MODIFIERS: Readonly<Record<ModifierType, ModifierImplementation>> = {
  histosys,
  lumi,
  normfactor,
  normsys,
  shapefactor,
  shapesys,
  staterror,
};

export type * from "./types.js";
