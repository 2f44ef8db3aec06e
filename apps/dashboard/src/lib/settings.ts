import { createContext, useContext } from "react";

/** How the API key is sent: `agl store --api-key` expects a bearer token. */
export type AuthHeader = "bearer" | "x-api-key";
/** Colour scheme; `system` follows the browser. */
export type Theme = "light" | "dark" | "system";

/** The dashboard's settings, kept in localStorage across reloads. */
export interface Settings {
  /** Base URL of the store server (`http://127.0.0.1:4747`); "" = the page's own origin. */
  storeUrl: string;
  /** API key, sent on every request when not empty. */
  apiKey: string;
  authHeader: AuthHeader;
  /** Seconds between live refreshes; 0 turns live refresh off. */
  refreshSeconds: number;
  theme: Theme;
}

/** Defaults: the page's origin (so `agl store` serving the dashboard needs no setting), 5 s refresh. */
export const DEFAULT_SETTINGS: Settings = {
  storeUrl: "",
  apiKey: "",
  authHeader: "bearer",
  refreshSeconds: 5,
  theme: "system",
};

const STORAGE_KEY = "agentlightning.dashboard.settings";

/** Reads the saved settings, ignoring anything malformed. */
export function loadSettings(storage: Pick<Storage, "getItem"> = window.localStorage): Settings {
  let saved: Partial<Settings> = {};
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (raw) saved = JSON.parse(raw) as Partial<Settings>;
  } catch {
    saved = {};
  }
  const s = { ...DEFAULT_SETTINGS };
  if (typeof saved.storeUrl === "string") s.storeUrl = saved.storeUrl;
  if (typeof saved.apiKey === "string") s.apiKey = saved.apiKey;
  if (saved.authHeader === "bearer" || saved.authHeader === "x-api-key") s.authHeader = saved.authHeader;
  if (typeof saved.refreshSeconds === "number" && saved.refreshSeconds >= 0)
    s.refreshSeconds = saved.refreshSeconds;
  if (saved.theme === "light" || saved.theme === "dark" || saved.theme === "system") s.theme = saved.theme;
  return s;
}

/** Saves the settings. */
export function saveSettings(settings: Settings, storage: Pick<Storage, "setItem"> = window.localStorage) {
  storage.setItem(STORAGE_KEY, JSON.stringify(settings));
}

/**
 * The store URL in effect: a `?store=` parameter of the page URL (for a link that names its
 * store) wins over the saved setting, which wins over the page's origin.
 */
export function effectiveStoreUrl(settings: Settings, location: Pick<Location, "search" | "origin">): string {
  const fromUrl = new URLSearchParams(location.search).get("store");
  const url = fromUrl || settings.storeUrl || location.origin;
  return url.replace(/\/+$/, "");
}

/** Settings and their setter, provided by the app shell. */
export interface SettingsContextValue {
  settings: Settings;
  storeUrl: string;
  update(patch: Partial<Settings>): void;
}

/** React context of the settings. */
export const SettingsContext = createContext<SettingsContextValue | null>(null);

/** The settings of the app shell. */
export function useSettings(): SettingsContextValue {
  const value = useContext(SettingsContext);
  if (value === null) throw new Error("useSettings outside of SettingsContext");
  return value;
}
