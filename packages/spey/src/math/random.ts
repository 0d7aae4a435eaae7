import { InvalidInput } from "../core/errors.js";
import { gammaln } from "./special.js";
import { isFiniteNumber, isInteger, abs, sqrt, exp, ln } from "../core/describe.js";
import { zeros } from "../core/arrays.js";

/**
 * Seeded random numbers. Everything random in this package (toys, contour directions) draws from
 * a {@link RandomSource}, so that the same seed gives the same answer in Node and in browsers.
 */
export interface RandomSource {
  /** A uniform double in [0, 1). */
  uniform(): number;
  /** A standard normal variate. */
  normal(): number;
  /** A Poisson variate with mean `lambda` (≥ 0). */
  poisson(lambda: number): number;
}

/** 2⁻⁵³: scales a 53-bit integer to [0, 1). */
const TWO_POW_MINUS_53 = 1 / 9007199254740992;
/** 2²⁶, the weight of the high 27 bits of a 53-bit double. */
const TWO_POW_26 = 67108864;

/** Jump polynomial of xoshiro128 equivalent to 2⁶⁴ calls of `next` (Blackman & Vigna, xoshiro128starstar.c). */
const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b] as const;

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64 output function (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators"). */
function splitMix64(state: bigint): bigint {
  let z = state & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * Seeded pseudo-random generator: xoshiro128** 1.1 (D. Blackman & S. Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47 (2021) 36), 128-bit state, period 2¹²⁸ − 1, in
 * 32-bit integer arithmetic (`Math.imul`, `>>>`) so that it is exact and fast in every JS engine.
 *
 * Seeding: the IEEE-754 bit pattern of the (finite) seed is fed to SplitMix64, whose first two
 * outputs fill the state, as Vigna recommends; so 1 and 1.5 are different seeds, and 0 and −0 the
 * same. BigInt is used only there, never per draw.
 *
 * Derived variates: {@link uniform} (53-bit doubles), {@link normal} (Marsaglia polar method),
 * {@link poisson} (multiplication method below λ = 10, Hörmann's PTRS above — the same split and
 * constants as NumPy's `random_poisson`), and {@link split} for independent sub-streams.
 */
export class Random implements RandomSource {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  #spare = 0;
  #hasSpare = false;

  /**
   * @param seed any finite number.
   * @throws InvalidInput if `seed` is NaN or infinite.
   */
  constructor(seed: number) {
    if (!isFiniteNumber(seed)) throw new InvalidInput(`seed must be a finite number, got ${seed}`);
    const bits = new DataView(new ArrayBuffer(8));
    bits.setFloat64(0, seed + 0); // + 0 maps −0 to 0
    const golden = 0x9e3779b97f4a7c15n;
    let sm = bits.getBigUint64(0);
    sm = (sm + golden) & MASK64;
    const first = splitMix64(sm);
    sm = (sm + golden) & MASK64;
    const second = splitMix64(sm);
    this.#setState([
      Number(first & 0xffffffffn),
      Number(first >> 32n),
      Number(second & 0xffffffffn),
      Number(second >> 32n),
    ]);
  }

  /**
   * A generator with the given raw xoshiro128 state (four 32-bit words, not all zero), e.g. one
   * saved with {@link getState}.
   * @throws InvalidInput if the state is not four integers in [0, 2³²) or is all zero.
   */
  static fromState(state: ArrayLike<number>): Random {
    const rng = new Random(0);
    rng.#setState(state);
    return rng;
  }

  /** The raw state (four unsigned 32-bit words). The cached normal spare is not part of it. */
  getState(): Uint32Array {
    return Uint32Array.of(this.#s0, this.#s1, this.#s2, this.#s3);
  }

  #setState(state: ArrayLike<number>): void {
    if (state.length !== 4) throw new InvalidInput(`state must have 4 words, got ${state.length}`);
    let any = 0;
    for (let i = 0; i < 4; i++) {
      const w = state[i]!;
      if (!isInteger(w) || w < 0 || w > 0xffffffff) {
        throw new InvalidInput(`state words must be integers in [0, 2^32), got ${w}`);
      }
      any |= w;
    }
    if (any === 0) throw new InvalidInput("state must not be all zero (xoshiro's fixed point)");
    this.#s0 = state[0]! | 0;
    this.#s1 = state[1]! | 0;
    this.#s2 = state[2]! | 0;
    this.#s3 = state[3]! | 0;
    this.#hasSpare = false;
  }

  /** Next raw 32-bit output as an unsigned integer in [0, 2³²) (xoshiro128** `next`). */
  nextUint32(): number {
    const s1 = this.#s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    let s2 = this.#s2 ^ this.#s0;
    let s3 = this.#s3 ^ s1;
    this.#s1 = s1 ^ s2;
    this.#s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    this.#s2 = s2;
    this.#s3 = s3;
    return result >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits: (⌊u₁/2⁵⌋·2²⁶ + ⌊u₂/2⁶⌋)·2⁻⁵³ from two 32-bit outputs. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * TWO_POW_26 + lo) * TWO_POW_MINUS_53;
  }

  /**
   * A standard normal variate by the Marsaglia polar method (G. Marsaglia & T. A. Bray, "A convenient
   * method for generating normal variables", SIAM Review 6 (1964) 260): each accepted pair (u, v) in
   * the unit disc gives two independent normals; the second is cached and returned by the next call.
   */
  normal(): number {
    if (this.#hasSpare) {
      this.#hasSpare = false;
      return this.#spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = sqrt((-2 * ln(s)) / s);
    this.#spare = v * m;
    this.#hasSpare = true;
    return u * m;
  }

  /**
   * A Poisson variate with mean `lambda`. λ = 0 gives 0. For λ < 10, the multiplication method
   * (count uniforms until their product drops below e^−λ; Knuth, TAOCP vol. 2 §3.4.1); for λ ≥ 10,
   * PTRS, the transformed rejection method with squeeze of W. Hörmann, "The transformed rejection
   * method for generating Poisson random variables", Insurance: Mathematics and Economics 12 (1993)
   * 39–45 — the algorithm and constants of NumPy's `random_poisson_ptrs`.
   * @throws InvalidInput if λ is negative, NaN or infinite.
   */
  poisson(lambda: number): number {
    if (!(lambda >= 0) || lambda === Number.POSITIVE_INFINITY) {
      throw new InvalidInput(`Poisson mean lambda must be finite and ≥ 0, got ${lambda}`);
    }
    if (lambda === 0) return 0;
    if (lambda < 10) {
      const limit = exp(-lambda);
      let k = 0;
      let product = this.uniform();
      while (product > limit) {
        k++;
        product *= this.uniform();
      }
      return k;
    }
    return this.#poissonPtrs(lambda);
  }

  #poissonPtrs(lambda: number): number {
    const sqrtLambda = sqrt(lambda);
    const logLambda = ln(lambda);
    const b = 0.931 + 2.53 * sqrtLambda;
    const a = -0.059 + 0.02483 * b;
    const logInvAlpha = ln(1.1239 + 1.1328 / (b - 3.4));
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (ln(v) + logInvAlpha - ln(a / (us * us) + b) <= -lambda + k * logLambda - gammaln(k + 1)) {
        return k;
      }
    }
  }

  /**
   * Advances this generator by 2⁶⁴ outputs in O(128) steps, using the xoshiro128 jump polynomial
   * (Blackman & Vigna). Clears the cached normal spare.
   */
  jump(): void {
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (const word of JUMP) {
      for (let bit = 0; bit < 32; bit++) {
        if ((word >>> bit) & 1) {
          t0 ^= this.#s0;
          t1 ^= this.#s1;
          t2 ^= this.#s2;
          t3 ^= this.#s3;
        }
        this.nextUint32();
      }
    }
    this.#s0 = t0;
    this.#s1 = t1;
    this.#s2 = t2;
    this.#s3 = t3;
    this.#hasSpare = false;
  }

  /**
   * An independent generator, derived deterministically: the child takes the current state (so it
   * produces the next 2⁶⁴ outputs this generator would have produced) and this generator then
   * {@link jump}s past them. Repeated splits therefore give non-overlapping streams of length 2⁶⁴.
   */
  split(): Random {
    const child = Random.fromState(this.getState());
    this.jump();
    return child;
  }
}

/**
 * One draw from the multivariate normal N(μ, Σ), given the lower Cholesky factor L of Σ
 * (Σ = L·Lᵀ, row-major n×n, e.g. from `cholesky` in ./linalg.js): x = μ + L·z with z a vector of
 * n independent standard normals drawn in order z₀, z₁, …. Writes into `out` (allocated if absent;
 * must not alias `mean`) and returns it.
 */
export function multivariateNormal(
  rng: RandomSource,
  mean: Float64Array,
  choleskyLower: Float64Array,
  n: number,
  out?: Float64Array,
): Float64Array {
  const x = out ?? zeros(n);
  for (let i = 0; i < n; i++) x[i] = rng.normal();
  // Row i of L·z needs z₀…zᵢ only, so overwrite from the last row upwards.
  for (let i = n - 1; i >= 0; i--) {
    const row = i * n;
    let sum = 0;
    for (let j = 0; j <= i; j++) sum += choleskyLower[row + j]! * x[j]!;
    x[i] = mean[i]! + sum;
  }
  return x;
}
