/**
 * The stdlib.js functions behind `special.ts`, in one module. The build replaces its compiled form
 * by one pre-bundled file (`scripts/bundle-stdlib.mjs`): Node then reads a single file instead of
 * the ~200 small CommonJS packages these six pull in, which were most of the library's import time
 * (and so of every one-shot `spey` command). Sources and tests use the packages directly.
 */
export { default as erfc } from "@stdlib/math-base-special-erfc";
export { default as erfcinv } from "@stdlib/math-base-special-erfcinv";
export { default as gammainc } from "@stdlib/math-base-special-gammainc";
export { default as gammaincinv } from "@stdlib/math-base-special-gammaincinv";
export { default as gammaln } from "@stdlib/math-base-special-gammaln";
export { default as normalLogcdf } from "@stdlib/stats-base-dists-normal-logcdf";
