// HistFactory (`spey/histfactory`): pyhf JSON workspaces, patches and patch sets, the likelihood,
// the `pyhf` backends and the full → simplified converter. This file only lists exports; loading it
// registers the pyhf backends (`getBackend("pyhf")`) through model/histfactory-backends.ts.

export * from "./backends/histfactory/index.js";
export { registerHistFactoryBackends } from "./model/histfactory-backends.js";
