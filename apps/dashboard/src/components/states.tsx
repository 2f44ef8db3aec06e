import { StoreApiError } from "../lib/api.js";

/** A loading placeholder. */
export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <div className="state" role="status" aria-busy="true">
      {what}…
    </div>
  );
}

/** An empty result, with a hint of how to get data. */
export function Empty({ title, hint }: { title: string; hint?: string }) {
  return (
    <div className="state" data-testid="empty">
      <div>{title}</div>
      {hint ? <div className="small">{hint}</div> : null}
    </div>
  );
}

/** An error box naming what failed and what to check. */
export function ErrorBox({ error }: { error: unknown }) {
  let hint = "";
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof StoreApiError) {
    if (error.status === 0) hint = "Check the store URL in Settings and that the server is running.";
    else if (error.status === 401) hint = "The server requires an API key: set it in Settings.";
    message = `${error.status ? `${error.status}: ` : ""}${error.message}`;
  }
  return (
    <div className="state error" role="alert">
      <strong>Could not load data.</strong> {message}
      {hint ? <div className="small">{hint}</div> : null}
    </div>
  );
}

/** A status as a coloured badge. */
export function StatusBadge({ status }: { status: string | null | undefined }) {
  const s = status ?? "unknown";
  return <span className={`badge ${s}`}>{s}</span>;
}
