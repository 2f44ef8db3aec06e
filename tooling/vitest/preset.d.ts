import type { UserConfig } from "vitest/config";
/** The shared vitest configuration of every package. */
export declare const preset: UserConfig;
