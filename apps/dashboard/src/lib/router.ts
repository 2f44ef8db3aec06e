import { useCallback, useSyncExternalStore } from "react";

/**
 * A view and its filters, as held in the URL hash: `#/rollouts/ro-1?attempt=at-2&span=abc`.
 * Hash routing keeps every view reloadable and shareable under any static file server, with
 * relative asset URLs, and needs no server-side fallback.
 */
export interface Route {
  /** Path segments after `#/`, URL-decoded: `["rollouts", "ro-1"]`. */
  segments: string[];
  /** Query parameters of the hash. */
  params: URLSearchParams;
}

/** Parses a location hash (`#/a/b?x=1`) into a route; an empty hash is the root. */
export function parseHash(hash: string): Route {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  const q = raw.indexOf("?");
  const path = q === -1 ? raw : raw.slice(0, q);
  const query = q === -1 ? "" : raw.slice(q + 1);
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { segments, params: new URLSearchParams(query) };
}

/** Parameter values; undefined, null, "" and empty lists are left out of the URL. */
export type ParamValue = string | number | boolean | null | undefined | readonly string[];

/** Builds a hash (`#/rollouts?status=failed`) from segments and parameters. */
export function formatHash(segments: readonly string[], params: Record<string, ParamValue> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) {
      if (value.length > 0) search.set(key, value.join(","));
    } else search.set(key, String(value));
  }
  const query = search.toString();
  return `#/${segments.map(encodeURIComponent).join("/")}${query ? `?${query}` : ""}`;
}

function subscribe(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

const getHash = () => window.location.hash;

/** Goes to a hash; `replace` keeps the browser history short for filter edits typed key by key. */
export function navigate(hash: string, replace = false) {
  if (hash === window.location.hash) return;
  if (replace) {
    window.history.replaceState(window.history.state, "", hash);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else window.location.hash = hash;
}

/** The current route, re-rendering on every hash change. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash, () => "");
  return parseHash(hash);
}

/**
 * The current route's parameters plus a setter that merges a patch into them (null removes a
 * key), keeping the path: the URL is the single source of truth of a view's filters.
 */
export function useParams(): [
  URLSearchParams,
  (patch: Record<string, ParamValue>, replace?: boolean) => void,
] {
  const route = useRoute();
  const set = useCallback((patch: Record<string, ParamValue>, replace = false) => {
    const current = parseHash(window.location.hash);
    const merged: Record<string, ParamValue> = Object.fromEntries(current.params.entries());
    Object.assign(merged, patch);
    navigate(formatHash(current.segments, merged), replace);
  }, []);
  return [route.params, set];
}

/** A comma-separated list parameter (`status=failed,succeeded`) as a list. */
export function listParam(params: URLSearchParams, key: string): string[] {
  const value = params.get(key);
  return value ? value.split(",").filter((s) => s !== "") : [];
}

/** A non-negative integer parameter, else the fallback. */
export function intParam(params: URLSearchParams, key: string, fallback: number): number {
  const value = Number.parseInt(params.get(key) ?? "", 10);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}
