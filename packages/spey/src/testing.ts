// The backend conformance suite (`spey/testing`): checks every likelihood backend should pass,
// as named functions for any test runner. This file only lists exports.

export { backendConformanceChecks, ConformanceError } from "./testing/conformance.js";
export type { ConformanceCheck, ConformanceOptions } from "./testing/conformance.js";
