import type { StoreServerConfig } from "./config.js";
import type { Logger } from "./logger.js";

/** A started server. */
export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Opens the store of the config, runs migrations, and serves it. (wired once the store server lands) */
export async function serveStore(_config: StoreServerConfig, _logger: Logger): Promise<RunningServer> {
  throw new Error("not wired yet");
}
