import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorBox } from "../components/states.js";
import { useApi } from "../lib/api-context.js";
import { formatDuration } from "../lib/format.js";
import { type AuthHeader, type Theme, useSettings } from "../lib/settings.js";

/** Store URL, API key, refresh interval and theme, kept in localStorage; with a connection check. */
export function SettingsPage() {
  const { settings, storeUrl, update } = useSettings();
  const api = useApi();
  const [url, setUrl] = useState(settings.storeUrl);
  const [key, setKey] = useState(settings.apiKey);
  const stats = useQuery({
    queryKey: ["statistics"],
    queryFn: ({ signal }) => api.statistics(signal),
    retry: false,
  });
  return (
    <section>
      <h1>Settings</h1>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          update({ storeUrl: url.trim(), apiKey: key });
        }}
      >
        <label>
          Store URL
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder={window.location.origin}
            aria-label="Store URL"
          />
          <span className="hint">
            Empty = this page's origin (what `agl store` serves). Another origin must allow this one (`agl
            store --cors-origin`). A `?store=URL` in the page address overrides it. In use:{" "}
            <code>{storeUrl}</code>
          </span>
        </label>
        <label>
          API key
          <input
            type="password"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-label="API key"
            autoComplete="off"
          />
          <span className="hint">Only when the server requires one (`agl store --api-key`).</span>
        </label>
        <label>
          Send the key as
          <select
            value={settings.authHeader}
            onChange={(e) => update({ authHeader: e.target.value as AuthHeader })}
            aria-label="Send the key as"
          >
            <option value="bearer">Authorization: Bearer (agl store)</option>
            <option value="x-api-key">X-API-Key header</option>
          </select>
        </label>
        <div>
          <button type="submit" className="primary">
            Save connection
          </button>
        </div>
        <label>
          Live refresh
          <select
            value={settings.refreshSeconds}
            onChange={(e) => update({ refreshSeconds: Number(e.target.value) })}
            aria-label="Live refresh"
          >
            <option value={0}>off</option>
            {[2, 5, 10, 30, 60].map((s) => (
              <option key={s} value={s}>
                every {s} s
              </option>
            ))}
          </select>
        </label>
        <label>
          Theme
          <select
            value={settings.theme}
            onChange={(e) => update({ theme: e.target.value as Theme })}
            aria-label="Theme"
          >
            <option value="system">follow the system</option>
            <option value="light">light</option>
            <option value="dark">dark</option>
          </select>
        </label>
      </form>
      <h2>Connection</h2>
      {stats.isError ? (
        <ErrorBox error={stats.error} />
      ) : stats.data ? (
        <div className="cards" data-testid="statistics">
          {(
            [
              ["Backend", stats.data.name],
              ["Rollouts", stats.data.total_rollouts],
              ["Attempts", stats.data.total_attempts],
              ["Spans", stats.data.total_spans],
              ["Resources", stats.data.total_resources],
              ["Workers", stats.data.total_workers],
              ["Uptime", formatDuration(stats.data.uptime)],
            ] as const
          ).map(([label, value]) => (
            <div className="card" key={label}>
              <div className="label">{label}</div>
              <div className={label === "Backend" ? "value small" : "value"}>{value}</div>
            </div>
          ))}
        </div>
      ) : (
        <div className="muted">Checking…</div>
      )}
    </section>
  );
}
