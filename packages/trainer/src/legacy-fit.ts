import { AgentLightningClient } from "@agentlightning/legacy-client";
import { LegacyAgentRunner, type LitAgent, type TripletExporter } from "@agentlightning/litagent";
import type { Tracer } from "@agentlightning/tracer";
import type { Logger } from "@agentlightning/types";
import { ValueError } from "./errors.js";
import { onSigint } from "./execution/interrupt.js";

/** What {@link fitV0} needs of the Trainer. */
export interface LegacyFitContext {
  tracer: Tracer;
  adapter: unknown;
  nRunners: number;
  maxRollouts: number | null;
  logger: Logger;
}

/**
 * The v0.1 path of `Trainer.fit(agent, url)` (legacy contract §8): `nRunners` LegacyAgentRunner
 * workers, concurrent in this process (Node needs no process per worker), poll tasks from the
 * legacy server at `url` until each processed `maxRollouts` tasks or Ctrl+C. The adapter is the
 * triplet exporter when it is a `TracerTraceToTriplet`-like adapter. Resolves with the number of
 * tasks processed.
 */
export async function fitV0(agent: LitAgent<never>, url: string, context: LegacyFitContext): Promise<number> {
  if (!/^https?:\/\//.test(url)) {
    throw new ValueError(`The legacy server URL must start with http:// or https://, got '${url}'.`);
  }
  const client = new AgentLightningClient({ endpoint: url, logger: context.logger });
  const stop = new AbortController();
  const removeSigint = onSigint(() => stop.abort());
  await context.tracer.init();
  try {
    const counts = await Promise.all(
      Array.from({ length: context.nRunners }, async (_, workerId) => {
        const runner = new LegacyAgentRunner({
          agent,
          client,
          tracer: context.tracer,
          tripletExporter: context.adapter as TripletExporter,
          workerId,
          maxTasks: context.maxRollouts,
          logger: context.logger,
        });
        await context.tracer.initWorker(workerId);
        try {
          return await runner.iter({ signal: stop.signal });
        } finally {
          await context.tracer.teardownWorker(workerId);
        }
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  } finally {
    removeSigint();
    await context.tracer.teardown();
  }
}
