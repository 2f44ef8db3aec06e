import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type uPlot from "uplot";
import { type ChartSeries, TimeChart } from "../components/line-chart.js";
import { Empty, ErrorBox, Loading } from "../components/states.js";
import { useApi, useLiveInterval } from "../lib/api-context.js";
import { formatNumber, formatTime } from "../lib/format.js";
import { mean, rewardSeries, statsByResources } from "../lib/reward-stats.js";
import { useParams } from "../lib/router.js";

const MODE_COLORS: Record<string, string> = {
  train: "#2563eb",
  val: "#16a34a",
  test: "#d97706",
  none: "#7c3aed",
};
/** Time windows of the page, in seconds (0 = everything). */
export const WINDOWS: Record<string, number> = { "1h": 3600, "24h": 86400, "7d": 7 * 86400, all: 0 };

/** Rewards over time: final rewards of finished rollouts by mode, and per resources version. */
export function RewardsPage() {
  const api = useApi();
  const live = useLiveInterval();
  const [params, setParams] = useParams();
  const mode = params.get("mode") ?? "";
  const windowKey = params.get("window") && params.get("window")! in WINDOWS ? params.get("window")! : "all";
  const smooth = Math.max(1, Number.parseInt(params.get("smooth") ?? "20", 10) || 20);
  const rewards = useQuery({
    queryKey: ["rewards", mode, windowKey],
    refetchInterval: live,
    retry: false,
    queryFn: ({ signal }) =>
      api.extRewards(
        {
          mode: mode || undefined,
          since: WINDOWS[windowKey] ? Date.now() / 1000 - WINDOWS[windowKey]! : undefined,
          limit: 10000,
        },
        signal,
      ),
  });
  const points = rewards.data?.items ?? [];
  const chart = useMemo(() => {
    const { modes, xs, columns } = rewardSeries(points, smooth);
    const series: ChartSeries[] = [];
    for (const m of modes) {
      const color = MODE_COLORS[m] ?? "#64748b";
      series.push(
        { label: `${m} (each rollout)`, color: `${color}88`, points: true },
        { label: `${m} (mean of ${smooth})`, color },
      );
    }
    return { data: [xs, ...columns] as uPlot.AlignedData, series, modes };
  }, [points, smooth]);
  const versions = useMemo(() => statsByResources(points), [points]);
  const maxMean = Math.max(...versions.map((v) => Math.abs(v.mean)), 1e-9);

  return (
    <section>
      <h1>Rewards over time</h1>
      <div className="toolbar">
        <select aria-label="Mode" value={mode} onChange={(e) => setParams({ mode: e.target.value })}>
          <option value="">every mode</option>
          <option value="train">train</option>
          <option value="val">val</option>
          <option value="test">test</option>
        </select>
        <select
          aria-label="Time window"
          value={windowKey}
          onChange={(e) => setParams({ window: e.target.value === "all" ? null : e.target.value })}
        >
          {Object.keys(WINDOWS).map((w) => (
            <option key={w} value={w}>
              {w === "all" ? "all time" : `last ${w}`}
            </option>
          ))}
        </select>
        <label className="small">
          moving mean over{" "}
          <input
            type="number"
            min={1}
            style={{ width: 70 }}
            aria-label="Moving mean window"
            value={smooth}
            onChange={(e) => setParams({ smooth: e.target.value === "20" ? null : e.target.value }, true)}
          />{" "}
          rollouts
        </label>
      </div>
      {rewards.isError ? (
        <ErrorBox error={rewards.error} />
      ) : rewards.isPending ? (
        <Loading what="Loading rewards" />
      ) : rewards.data === null ? (
        <Empty
          title="This store server has no reward extension (GET /v1/agl/ext/rewards)."
          hint="A Python store does not have it; serve the store with agl store to see rewards over time."
        />
      ) : points.length === 0 ? (
        <Empty
          title="No finished rollout with a reward yet."
          hint="Rewards appear as rollouts finish with a reward span."
        />
      ) : (
        <>
          <div className="cards" data-testid="reward-cards">
            <div className="card">
              <div className="label">Rollouts with a reward</div>
              <div className="value">{points.length}</div>
            </div>
            <div className="card">
              <div className="label">Mean reward</div>
              <div className="value">{formatNumber(mean(points.map((p) => p.final_reward)), 3)}</div>
            </div>
            <div className="card">
              <div className="label">Mean of the last {Math.min(smooth, points.length)}</div>
              <div className="value">
                {formatNumber(mean(points.slice(-smooth).map((p) => p.final_reward)), 3)}
              </div>
            </div>
            <div className="card">
              <div className="label">Latest</div>
              <div className="value small">{formatTime(points.at(-1)?.end_time)}</div>
            </div>
          </div>
          <h2>Final reward by end time</h2>
          <div className="legend">
            {chart.modes.map((m) => (
              <span key={m} style={{ "--c": MODE_COLORS[m] ?? "#64748b" } as React.CSSProperties}>
                {m}
              </span>
            ))}
          </div>
          <TimeChart data={chart.data} series={chart.series} yLabel="final reward" testId="reward-chart" />
          <h2>By resources version</h2>
          <table className="grid" data-testid="reward-versions">
            <thead>
              <tr>
                <th>Resources</th>
                <th className="num">Rollouts</th>
                <th className="num">Mean</th>
                <th className="num">Min</th>
                <th className="num">Max</th>
                <th style={{ width: "35%" }}>Mean reward</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.resourcesId}>
                  <td className="mono">
                    <a href={`#/resources?id=${encodeURIComponent(v.resourcesId)}`}>{v.resourcesId}</a>
                  </td>
                  <td className="num">{v.count}</td>
                  <td className="num">{formatNumber(v.mean, 3)}</td>
                  <td className="num">{formatNumber(v.min, 3)}</td>
                  <td className="num">{formatNumber(v.max, 3)}</td>
                  <td>
                    <div
                      style={{
                        background: "var(--bar)",
                        height: 10,
                        borderRadius: 3,
                        width: `${(Math.abs(v.mean) / maxMean) * 100}%`,
                      }}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
