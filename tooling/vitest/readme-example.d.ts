/** The text between `start` and `end` in `markdown`, without the fence of a code block around it. */
export declare function blockBetween(markdown: string, start: string, end: string): string;
/** The code block between `<!-- name:start -->` and `<!-- name:end -->` of the README at `readme`. */
export declare function readmeBlock(readme: URL | string, name: string): string;
/**
 * Writes `code` to `dir/fileName` (default `example.ts`), imports it, and resolves with the lines its
 * `console.log` calls printed. console.log is restored afterwards.
 */
export declare function importCapturingLogs(
  code: string,
  options: { dir: string; fileName?: string },
): Promise<string[]>;
