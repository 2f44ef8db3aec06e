/** What a packed package holds and exports. */
export interface PackedPackage {
  /** Paths inside the tarball, relative to the package root. */
  files: string[];
  /** Export names per `exports` subpath, as imported from a clean folder. */
  exported: Record<string, string[]>;
  /** The packed package.json. */
  manifest: Record<string, unknown>;
}
/**
 * Packs the package with pnpm, checks that its `exports` targets exist, that no build cache, test
 * or stale build output ships, and that every entry imports from a clean folder.
 */
export declare function checkPackedPackage(packageDir: string): PackedPackage;
/** Messages for files of a tarball that must not be published (build caches, tests, stale outputs). */
export declare function unpublishableFiles(files: string[]): string[];
/** Packs one package with pnpm into `destination`; returns the tarball's absolute path. */
export declare function packPackage(packageDir: string, destination: string): string;
/** Paths inside a tarball, relative to the package root. */
export declare function tarballFiles(tarball: string): string[];
/** Creates a scratch project in `dir` and installs the given dependencies with npm. */
export declare function installScratchProject(
  dir: string,
  deps: { dependencies: Record<string, string>; devDependencies?: Record<string, string> },
): Promise<void>;
/** Every package installed under `dir/node_modules`, nested ones included, sorted. */
export declare function installedPackages(dir: string): string[];
/** Runs node with `args` in `cwd` without blocking the event loop; resolves to stdout. */
export declare function runNode(cwd: string, args: string[], env?: Record<string, string>): Promise<string>;
/** Runs a command in `cwd` without blocking the event loop; resolves to stdout. */
export declare function runCommand(cwd: string, command: string, args: string[]): Promise<string>;
