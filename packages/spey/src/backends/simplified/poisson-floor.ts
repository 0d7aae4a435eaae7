/** Poisson rates of the simplified likelihoods are floored here (spey's `clip(λ, 1e-20)`). */
export const LAMBDA_FLOOR = 1e-20;
