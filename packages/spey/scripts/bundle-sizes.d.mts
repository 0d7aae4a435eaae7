// Types of bundle-sizes.mjs (for the test that imports it).
export interface BundleCase {
  readonly name: string;
  /** The budget, KB gzip. */
  readonly budgetKB: number;
  /** The entry module's source. */
  readonly code: string;
}
export interface BundleResult {
  readonly name: string;
  readonly budgetKB: number;
  readonly rawKB: number;
  readonly gzipKB: number;
  readonly nodeImports: boolean;
  readonly code: string;
}
export const ROOT: string;
export const BUNDLES: readonly BundleCase[];
export function hasNodeImport(code: string): boolean;
export function measureBundles(bundles?: readonly BundleCase[]): Promise<BundleResult[]>;
