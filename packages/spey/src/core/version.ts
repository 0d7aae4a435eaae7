/** The version of this package; plug-ins' `speyRequires` ranges are checked against it. */
export const VERSION = "0.1.0";

/** The version of Python spey whose behaviour this package reproduces (after its PR #67 fixes). */
export const SPEY_REFERENCE_VERSION = "0.2.7-b3";
