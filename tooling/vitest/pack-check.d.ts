/** What a packed package holds and exports. */
export interface PackedPackage {
  /** Paths inside the tarball, relative to the package root. */
  files: string[];
  /** Export names per `exports` subpath, as imported from a clean folder. */
  exported: Record<string, string[]>;
  /** The packed package.json. */
  manifest: Record<string, unknown>;
}
/** Packs the package with pnpm, checks its `exports` targets exist and import from a clean folder. */
export declare function checkPackedPackage(packageDir: string): PackedPackage;
