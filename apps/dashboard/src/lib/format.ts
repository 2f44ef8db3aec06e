/** Display helpers shared by the pages: times, durations, numbers and previews of JSON values. */

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * A store time (float seconds since the epoch) as local `YYYY-MM-DD HH:MM:SS.mmm`; `—` for null.
 * Milliseconds are always shown: many rollouts and spans last less than a second.
 */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const d = new Date(seconds * 1000);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/**
 * A duration in seconds with sub-second precision: `0.42 ms`, `12.3 ms`, `845 ms`, `1.24 s`,
 * `2m 05.1s`, `3h 02m`. `—` when unknown, negative or not finite.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const ms = seconds * 1000;
  // Thresholds on the rounded value, so 0.999999 ms reads "1.0 ms", never "1.00 ms".
  if (ms < 0.995) return `${ms.toFixed(2)} ms`;
  if (ms < 99.95) return `${ms.toFixed(1)} ms`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  if (seconds < 9.995) return `${seconds.toFixed(2)} s`;
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  if (seconds < 3599.95) {
    const tenths = Math.round(seconds * 10);
    const m = Math.floor(tenths / 600);
    return `${m}m ${((tenths - m * 600) / 10).toFixed(1).padStart(4, "0")}s`;
  }
  const h = Math.floor(seconds / 3600);
  return `${h}h ${pad(Math.floor((seconds - h * 3600) / 60))}m`;
}

/**
 * The end of an interval: only the time of day when it falls on the start's date (the table stays
 * narrow), the full time otherwise.
 */
export function formatEndTime(start: number | null | undefined, end: number | null | undefined): string {
  const full = formatTime(end);
  if (start === null || start === undefined || end === null || end === undefined) return full;
  const startText = formatTime(start);
  return startText.slice(0, 10) === full.slice(0, 10) ? full.slice(11) : full;
}

/** Duration between two store times, or null when one is missing. */
export function durationBetween(start: number | null | undefined, end: number | null | undefined) {
  if (start === null || start === undefined || end === null || end === undefined) return null;
  return end - start;
}

/** Time since a store time, relative to `now` (seconds): `4.2 s ago`. */
export function formatAgo(seconds: number | null | undefined, now: number = Date.now() / 1000): string {
  if (seconds === null || seconds === undefined) return "never";
  const delta = now - seconds;
  if (delta < 0) return "just now";
  return `${formatDuration(delta)} ago`;
}

/** A number with at most `digits` decimals and no trailing zeros; `—` for null. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return String(Number(value.toFixed(digits)));
}

/** One line of JSON (strings shown bare), cut to `max` characters with an ellipsis. */
export function previewJson(value: unknown, max = 80): string {
  let text: string;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value) ?? "undefined";
    } catch {
      text = String(value);
    }
  }
  text = text.replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
