/**
 * Interpolation codes (CERN-OPEN-2012-016 Table 2; pyhf's `interpolators`): values against their
 * defining formulas and the smoothness conditions that define codes 4 and 4p.
 */
import { describe, expect, it } from "vitest";
import {
  code4Coefficients,
  interpolateCode0,
  interpolateCode1,
  interpolateCode4,
  interpolateCode4p,
} from "../../../src/backends/histfactory/interpolation.js";

const out = new Float64Array(3);

function code4(hi: number, lo: number, alpha: number): [number, number, number] {
  const c = new Float64Array(8);
  c[0] = Math.log(hi);
  c[1] = Math.log(lo);
  code4Coefficients(hi, lo, c, 2);
  interpolateCode4(c, 0, alpha, out, 0);
  return [out[0] as number, out[1] as number, out[2] as number];
}

describe("normsys codes", () => {
  it("code 1 is κ₊^α above 0 and κ₋^(−α) below, with exact derivatives", () => {
    interpolateCode1(Math.log(1.1), Math.log(0.9), 0.7, out, 0);
    expect(out[0]).toBeCloseTo(1.1 ** 0.7, 15);
    expect(out[1]).toBeCloseTo(Math.log(1.1) * 1.1 ** 0.7, 15);
    expect(out[2]).toBeCloseTo(Math.log(1.1) ** 2 * 1.1 ** 0.7, 15);
    interpolateCode1(Math.log(1.1), Math.log(0.9), -2, out, 0);
    expect(out[0]).toBeCloseTo(0.9 ** 2, 15);
    expect(out[1]).toBeCloseTo(-Math.log(0.9) * 0.81, 15);
  });

  it("code 4's polynomial matches code 1 in value, slope and curvature at α = ±1", () => {
    // The defining conditions of pyhf's A⁻¹; checked at the joints from inside (1 − 1e-9) against
    // the exponential branch at ±1: the polynomial's Taylor error over 1e-9 is ≲ 1e-8 in slope.
    for (const [hi, lo] of [
      [1.1, 0.9],
      [1.5, 0.5],
      [1.3, 0.95],
      [0.8, 1.2],
    ] as const) {
      for (const side of [1, -1]) {
        const [v, d1, d2] = code4(hi, lo, side * (1 - 1e-9));
        const [ev, ed1, ed2] = code4(hi, lo, side);
        expect(Math.abs(v - ev)).toBeLessThan(1e-8);
        expect(Math.abs(d1 - ed1)).toBeLessThan(1e-7);
        expect(Math.abs(d2 - ed2)).toBeLessThan(1e-6);
      }
      // F(0) = 1 and the exponential branches beyond the joints.
      expect(code4(hi, lo, 0)[0]).toBe(1);
      expect(code4(hi, lo, 2)[0]).toBeCloseTo(hi ** 2, 14);
      expect(code4(hi, lo, -3)[0]).toBeCloseTo(lo ** 3, 14);
    }
  });

  it("code 4's derivatives are those of its polynomial (finite differences)", () => {
    for (const alpha of [-0.8, -0.3, 0.1, 0.55, 0.9]) {
      const h = 1e-6;
      const [, d1, d2] = code4(1.5, 0.5, alpha);
      const [vp, d1p] = code4(1.5, 0.5, alpha + h);
      const [vm, d1m] = code4(1.5, 0.5, alpha - h);
      expect(Math.abs(d1 - (vp - vm) / (2 * h))).toBeLessThan(1e-8);
      expect(Math.abs(d2 - (d1p - d1m) / (2 * h))).toBeLessThan(1e-8);
    }
  });
});

describe("histosys codes", () => {
  it("code 0 is piecewise linear, the upper branch from α = 0 on", () => {
    interpolateCode0(4, 6, 0.5, out, 0);
    expect([...out]).toEqual([2, 4, 0]);
    interpolateCode0(4, 6, -0.5, out, 0);
    expect([...out]).toEqual([-3, 6, 0]);
    interpolateCode0(4, 6, 0, out, 0);
    expect([...out]).toEqual([0, 4, 0]);
  });

  it("code 4p: smooth at ±1 (value, slope, curvature), linear outside, Δ(0) = 0", () => {
    const up = 5;
    const dn = 2;
    const S = 0.5 * (up + dn);
    const A = 0.0625 * (up - dn);
    for (const side of [1, -1]) {
      interpolateCode4p(up, dn, S, A, side, out, 0);
      const inside = [...out];
      interpolateCode4p(up, dn, S, A, side * (1 + 1e-12), out, 0);
      const outside = [...out];
      expect(inside[0]).toBeCloseTo(side * (side > 0 ? up : dn), 12);
      expect(Math.abs((inside[0] as number) - (outside[0] as number))).toBeLessThan(1e-10);
      expect(Math.abs((inside[1] as number) - (outside[1] as number))).toBeLessThan(1e-10);
      expect(Math.abs(inside[2] as number)).toBeLessThan(1e-12);
    }
    interpolateCode4p(up, dn, S, A, 0, out, 0);
    expect(out[0]).toBe(0);
    expect(out[1]).toBe(S);
    interpolateCode4p(up, dn, S, A, 2.5, out, 0);
    expect([...out]).toEqual([12.5, 5, 0]);
  });
});
