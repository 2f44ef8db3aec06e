import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One series of a chart: a label, a colour, and whether to draw points only. */
export interface ChartSeries {
  label: string;
  color: string;
  points?: boolean;
  width?: number;
}

function cssVar(name: string, fallback: string) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * A time chart on uPlot (canvas, ~50 KB unzipped): x = store times (seconds), one y series per
 * entry. Resizes with its container; the data must be aligned (`[xs, ys1, ys2, ...]`, nulls
 * for gaps).
 */
export function TimeChart({
  data,
  series,
  height = 320,
  yLabel,
  testId,
}: {
  data: uPlot.AlignedData;
  series: ChartSeries[];
  height?: number;
  yLabel?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const axisColor = cssVar("--fg-muted", "#5c6677");
    const gridColor = cssVar("--border", "#dde2ea");
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
    const chart = new uPlot(
      {
        width: Math.max(el.clientWidth, 300),
        height,
        scales: { x: { time: true } },
        axes: [axis, { ...axis, label: yLabel }],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.points ? 0 : (s.width ?? 2),
            spanGaps: !s.points,
            paths: s.points ? () => null : undefined,
            points: s.points ? { show: true, size: 5, fill: s.color, stroke: s.color } : { show: false },
          })),
        ],
      },
      data,
      el,
    );
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(el.clientWidth, 300), height }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [data, series, height, yLabel]);
  return <div ref={ref} className="chart" data-testid={testId} />;
}
