// HistFactory (`spey/histfactory`): pyhf JSON workspaces, patches and patch sets, the likelihood,
// the `pyhf` backends and the full → simplified converter. This file only lists exports.

export * from "./backends/histfactory/index.js";
