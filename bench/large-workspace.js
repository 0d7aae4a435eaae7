// A synthetic HistFactory analysis for tests and benchmarks: `nChannels` channels × `nBins` bins,
// four backgrounds with normfactors, staterror and lumi, `nSystematics` shared normsys/histosys
// modifiers, and a signal concentrated in the first channel. `rng` needs uniform() and poisson().

/**
 * @param {number} nChannels
 * @param {number} nBins
 * @param {number} nSystematics
 * @param {{ uniform(): number; poisson(lambda: number): number }} rng
 */
export function largeWorkspace(nChannels, nBins, nSystematics, rng) {
  const channels = [];
  const observations = [];
  for (let c = 0; c < nChannels; c++) {
    const samples = [];
    let total = new Array(nBins).fill(0);
    for (const [s, scale] of [
      ["ttbar", 80],
      ["wjets", 40],
      ["zjets", 20],
      ["diboson", 5],
    ]) {
      const data = Array.from({ length: nBins }, () => scale * (0.5 + rng.uniform()));
      total = total.map((t, i) => t + data[i]);
      const modifiers = [
        { name: `norm_${s}`, type: "normfactor", data: null },
        { name: `stat_ch${c}`, type: "staterror", data: data.map((x) => 0.05 * x) },
        { name: "lumi", type: "lumi", data: null },
      ];
      for (let k = 0; k < nSystematics; k++) {
        if (rng.uniform() < 0.5) {
          modifiers.push({
            name: `sys_${k}`,
            type: "normsys",
            data: { hi: 1 + 0.1 * rng.uniform(), lo: 1 - 0.1 * rng.uniform() },
          });
        } else {
          modifiers.push({
            name: `shape_${k}`,
            type: "histosys",
            data: {
              hi_data: data.map((x) => x * (1 + 0.05 * rng.uniform())),
              lo_data: data.map((x) => x * (1 - 0.05 * rng.uniform())),
            },
          });
        }
      }
      samples.push({ name: s, data, modifiers });
    }
    samples.push({
      name: "signal",
      data: Array.from({ length: nBins }, (_, i) => (c === 0 ? 10 * (i + 1) : 0.5)),
      modifiers: [
        { name: "mu", type: "normfactor", data: null },
        { name: "lumi", type: "lumi", data: null },
      ],
    });
    const name = `ch${String(c).padStart(2, "0")}`;
    channels.push({ name, samples });
    observations.push({ name, data: total.map((t) => rng.poisson(t)) });
  }
  return {
    channels,
    observations,
    measurements: [
      {
        name: "meas",
        config: {
          poi: "mu",
          parameters: [
            { name: "lumi", auxdata: [1], sigmas: [0.02], bounds: [[0.8, 1.2]], inits: [1] },
            ...["ttbar", "wjets", "zjets", "diboson"].map((s) => ({ name: `norm_${s}`, bounds: [[0.1, 3]] })),
          ],
        },
      },
    ],
    version: "1.0.0",
  };
}
