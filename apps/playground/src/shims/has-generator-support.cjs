// Stand-in for @stdlib/assert-has-generator-support in the browser bundle. The original detects
// generator functions by eval('"use strict"; (function* () {})'), which a Content-Security-Policy
// without 'unsafe-eval' reports as a violation. Every browser this page runs on (ES2022 modules in
// workers) has generators, and Node, where the check runs, answers true too: the library takes the
// same code paths (@stdlib/math-base-tools-sum-series and -continued-fraction: generator variants)
// in both.
module.exports = function hasGeneratorSupport() {
  return true;
};
