// A synthetic analysis laid out as the full likelihoods ATLAS publishes on HEPData: a
// background-only workspace `BkgOnly.json` whose measurement names a POI that only the signal
// patches add, and a patch set `patchset.json` with one JSON Patch per signal point on a 2-D mass
// grid (labels m_C1N2, m_N1), `analysis_id` in its metadata and extra members in each patch's
// metadata, as real patch sets have. For tests and benchmarks; `rng` needs uniform() and
// poisson(). The number of parameters of a patched model is
//   1 (POI) + 1 (lumi) + 2 (background normfactors) + nBins·nRegions (staterror) + nSystematics
//   + 1 (signal theory normsys).

const BACKGROUNDS = [
  ["ttbar", 60, "mu_ttbar"],
  ["VV", 25, "mu_VV"],
  ["Zjets", 10, null],
  ["fakes", 4, null],
];

/**
 * @param {{ uniform(): number; poisson(lambda: number): number }} rng
 * @param {{ regions?: number; bins?: number; systematics?: number; masses?: number[]; lspMasses?: number[];
 *   digest?: (workspace: object) => string; upperCaseDigest?: boolean }} [options]
 */
export function hepdataAnalysis(rng, options = {}) {
  const nRegions = options.regions ?? 5;
  const nBins = options.bins ?? 4;
  const nSystematics = options.systematics ?? 40;
  const channels = [];
  const observations = [];
  // Control regions first (rich in one background each), then signal regions.
  const regionNames = Array.from({ length: nRegions }, (_, r) =>
    r === 0 ? "CR_top" : r === 1 ? "CR_VV" : `SR_${String.fromCharCode(65 + r - 2)}`,
  );
  regionNames.forEach((region, r) => {
    const isSR = region.startsWith("SR");
    const samples = [];
    const total = new Array(nBins).fill(0);
    for (const [name, scale, norm] of BACKGROUNDS) {
      const enhance = (region === "CR_top" && name === "ttbar") || (region === "CR_VV" && name === "VV") ? 8 : 1;
      const falling = (i) => (isSR ? Math.exp(-0.6 * i) : 1);
      const data = Array.from({ length: nBins }, (_, i) => scale * enhance * falling(i) * (0.6 + 0.8 * rng.uniform()));
      data.forEach((x, i) => {
        total[i] += x;
      });
      const modifiers = [];
      if (norm) modifiers.push({ name: norm, type: "normfactor", data: null });
      modifiers.push({ name: `staterror_${region}`, type: "staterror", data: data.map((x) => 0.04 * x + 0.1) });
      if (name !== "fakes") modifiers.push({ name: "lumi", type: "lumi", data: null });
      for (let k = 0; k < nSystematics; k++) {
        // Each systematic touches a few samples of a few regions, as real ones do.
        if (rng.uniform() > 0.25) continue;
        if (k % 3 === 0) {
          modifiers.push({
            name: `syst_shape_${k}`,
            type: "histosys",
            data: {
              hi_data: data.map((x) => x * (1 + 0.08 * rng.uniform())),
              lo_data: data.map((x) => x * (1 - 0.08 * rng.uniform())),
            },
          });
        } else {
          modifiers.push({
            name: `syst_norm_${k}`,
            type: "normsys",
            data: { hi: 1 + 0.12 * rng.uniform(), lo: 1 - 0.1 * rng.uniform() },
          });
        }
      }
      samples.push({ name, data, modifiers });
    }
    channels.push({ name: region, samples });
    observations.push({ name: region, data: total.map((t) => rng.poisson(t)) });
    void r;
  });
  // Every systematic must exist somewhere so that the parameter count is predictable.
  for (let k = 0; k < nSystematics; k++) {
    const used = channels.some((c) => c.samples.some((s) => s.modifiers.some((m) => m.name.endsWith(`_${k}`))));
    if (!used) {
      const sample = channels[k % channels.length].samples[0];
      sample.modifiers.push({
        name: `syst_norm_${k}`,
        type: "normsys",
        data: { hi: 1.05, lo: 0.96 },
      });
    }
  }
  const bkgOnly = {
    channels,
    observations,
    measurements: [
      {
        name: "NormalMeasurement",
        config: {
          poi: "mu_SIG",
          parameters: [
            { name: "lumi", auxdata: [1], sigmas: [0.017], bounds: [[0.915, 1.085]], inits: [1] },
            { name: "mu_ttbar", bounds: [[0, 10]], inits: [1] },
            { name: "mu_VV", bounds: [[0, 10]], inits: [1] },
          ],
        },
      },
    ],
    version: "1.0.0",
  };

  // Signal grid: the yield falls with the chargino mass and with a compressed spectrum.
  const masses = options.masses ?? [200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100];
  const lspMasses = options.lspMasses ?? [0, 100, 200, 300, 400];
  const srIndices = regionNames.map((name, i) => [name, i]).filter(([name]) => name.startsWith("SR"));
  const patches = [];
  for (const m of masses) {
    for (const mLsp of lspMasses) {
      if (mLsp >= m - 50) continue;
      const strength = 40 * (200 / m) ** 3 * Math.min(1, (m - mLsp) / 300);
      const patch = srIndices.map(([, c], j) => ({
        op: "add",
        path: `/channels/${c}/samples/${BACKGROUNDS.length}`,
        value: {
          name: "signal",
          data: Array.from(
            { length: nBins },
            (_, i) => strength * (0.3 + 0.2 * j + 0.15 * i) * (0.8 + 0.4 * rng.uniform()),
          ),
          modifiers: [
            { name: "mu_SIG", type: "normfactor", data: null },
            { name: "lumi", type: "lumi", data: null },
            { name: "sig_theory", type: "normsys", data: { hi: 1.1, lo: 0.9 } },
          ],
        },
      }));
      patches.push({
        metadata: {
          name: `C1N2_WZ_${m}_${mLsp}`,
          values: [m, mLsp],
          xsec_pb: Number((0.5 * (200 / m) ** 4).toPrecision(4)),
        },
        patch,
      });
    }
  }
  let digest = options.digest ? options.digest(bkgOnly) : "0".repeat(64);
  if (options.upperCaseDigest) digest = digest.toUpperCase();
  const patchset = {
    metadata: {
      analysis_id: "SYNTH-2024-01",
      description: "signal patchset for a synthetic electroweakino search (HEPData layout)",
      digests: { sha256: digest },
      labels: ["m_C1N2", "m_N1"],
      references: { hepdata: "ins1234567" },
    },
    patches,
    version: "1.0.0",
  };
  return { bkgOnly, patchset };
}
