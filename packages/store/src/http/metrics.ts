import { RolloutStatusSchema } from "@agentlightning/types";
import type { LightningStore } from "../store.js";

// Prometheus text exposition (format 0.0.4) without a client library: request counters and a
// latency histogram kept in memory, plus gauges read from the store at scrape time.

/** Upper bounds (seconds) of the request latency histogram buckets. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** Content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
    .join(",");
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

/**
 * HTTP metrics of one app: `agl_http_total` (counter) and `agl_http_latency` (histogram, seconds),
 * labelled by route template (`/v1/agl/rollouts/{rollout_id}`), method and status — the upstream
 * names. Scrapes add `agl_queue_depth` and `agl_store_rollouts{status}` gauges from the store.
 */
export class StoreMetrics {
  private readonly series = new Map<string, Series>();

  /** Records one answered request. `path` is the route template, never the raw URL. */
  observe(method: string, path: string, status: number, seconds: number): void {
    // Keyed by the raw parts: the escaped label text is built once per series, not per request.
    const key = `${method} ${status} ${path}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        labels: labelText({ path, method, status: String(status) }),
        count: 0,
        sum: 0,
        buckets: LATENCY_BUCKETS.map(() => 0),
      };
      this.series.set(key, series);
    }
    series.count += 1;
    series.sum += seconds;
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    });
  }

  /** The HTTP metrics in Prometheus text format. */
  renderHttp(): string {
    const all = [...this.series.values()];
    const lines = [
      "# HELP agl_http_total HTTP requests answered, by route template, method and status.",
      "# TYPE agl_http_total counter",
      ...all.map((s) => `agl_http_total{${s.labels}} ${s.count}`),
      "# HELP agl_http_latency HTTP request latency in seconds, by route template, method and status.",
      "# TYPE agl_http_latency histogram",
    ];
    for (const s of all) {
      LATENCY_BUCKETS.forEach((bound, i) => {
        lines.push(`agl_http_latency_bucket{${s.labels},le="${bound}"} ${s.buckets[i] ?? 0}`);
      });
      lines.push(`agl_http_latency_bucket{${s.labels},le="+Inf"} ${s.count}`);
      lines.push(`agl_http_latency_sum{${s.labels}} ${formatNumber(s.sum)}`);
      lines.push(`agl_http_latency_count{${s.labels}} ${s.count}`);
    }
    return `${lines.join("\n")}\n`;
  }

  /**
   * Everything: HTTP metrics plus store gauges counted at scrape time with `queryRollouts` totals
   * (`limit: 0`, so no rows are read). If the store fails, the gauges are replaced by
   * `agl_store_scrape_error 1` and the scrape still succeeds.
   */
  async render(store: LightningStore): Promise<string> {
    let gauges: string[];
    try {
      const statuses = RolloutStatusSchema.options;
      const totals = await Promise.all(
        statuses.map(async (status) => (await store.queryRollouts({ statusIn: [status], limit: 0 })).total),
      );
      const byStatus = new Map(statuses.map((status, i) => [status, totals[i] ?? 0]));
      gauges = [
        "# HELP agl_queue_depth Rollouts waiting to be dequeued (queuing or requeuing).",
        "# TYPE agl_queue_depth gauge",
        `agl_queue_depth ${(byStatus.get("queuing") ?? 0) + (byStatus.get("requeuing") ?? 0)}`,
        "# HELP agl_store_rollouts Rollouts in the store, by status.",
        "# TYPE agl_store_rollouts gauge",
        ...statuses.map((status) => `agl_store_rollouts{status="${status}"} ${byStatus.get(status) ?? 0}`),
        "# HELP agl_store_scrape_error 1 if the store could not be read at scrape time.",
        "# TYPE agl_store_scrape_error gauge",
        "agl_store_scrape_error 0",
      ];
    } catch {
      gauges = [
        "# HELP agl_store_scrape_error 1 if the store could not be read at scrape time.",
        "# TYPE agl_store_scrape_error gauge",
        "agl_store_scrape_error 1",
      ];
    }
    return `${this.renderHttp()}${gauges.join("\n")}\n`;
  }
}
