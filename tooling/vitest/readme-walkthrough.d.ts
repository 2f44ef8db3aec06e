/** The address the walk-through is written against. */
export declare const WALKTHROUGH_ORIGIN: string;
/** The shell block between `<!-- curl-walkthrough:start -->` and `<!-- curl-walkthrough:end -->`. */
export declare function walkthroughScript(markdown: string): string;
/** Runs the README's walk-through with bash against the store at `origin`; resolves with its output. */
export declare function runCurlWalkthrough(readme: URL | string, origin: string): Promise<string>;
