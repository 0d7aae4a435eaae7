// Synthetic simplified-likelihood models of any size, deterministic, for the benchmarks.

/** An n-bin counting model with an AR(1)-correlated background covariance. */
export function syntheticModel(n, { rho = 0.5, signalScale = 1, shift = 0 } = {}) {
  const background = [];
  const signal = [];
  const data = [];
  const sigma = [];
  for (let i = 0; i < n; i++) {
    const b = 5 + 200 * Math.exp((-3 * i) / n);
    background.push(b);
    signal.push(signalScale * (2 + 0.08 * b) * (1 + 0.3 * Math.sin(i + shift)));
    data.push(Math.round(b + Math.sqrt(b) * Math.sin(1.7 * i + shift)));
    sigma.push(0.08 * b + 1);
  }
  const covariance = sigma.map((si, i) => sigma.map((sj, j) => si * sj * rho ** Math.abs(i - j)));
  const correlation = sigma.map((_, i) => sigma.map((_, j) => rho ** Math.abs(i - j)));
  const thirdMoment = sigma.map((s) => 0.2 * s ** 3);
  const envelopes = sigma.map((s) => [1.15 * s, 0.85 * s]);
  return { signal, background, data, sigma, covariance, correlation, thirdMoment, envelopes };
}

/** Backend arguments for each simplified backend. */
export function argumentsFor(backend, m) {
  const common = { signalYields: m.signal, backgroundYields: m.background, data: m.data };
  switch (backend) {
    case "default.uncorrelated_background":
      return { ...common, absoluteUncertainties: m.sigma };
    case "default.correlated_background":
      return { ...common, covarianceMatrix: m.covariance };
    case "default.third_moment_expansion":
      return { ...common, covarianceMatrix: m.covariance, thirdMoment: m.thirdMoment };
    case "default.effective_sigma":
      return { ...common, correlationMatrix: m.correlation, absoluteUncertaintyEnvelops: m.envelopes };
    default:
      throw new Error(`no synthetic arguments for ${backend}`);
  }
}
