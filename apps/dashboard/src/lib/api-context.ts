import { createContext, useContext } from "react";
import type { StoreApi } from "./api.js";
import { useSettings } from "./settings.js";

/** The store API client of the app shell, rebuilt when the settings change. */
export const ApiContext = createContext<StoreApi | null>(null);

/** The store API client. */
export function useApi(): StoreApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error("useApi outside of ApiContext");
  return api;
}

/** TanStack Query's `refetchInterval` for live views: the setting in ms, or false when off. */
export function useLiveInterval(): number | false {
  const { settings } = useSettings();
  return settings.refreshSeconds > 0 ? settings.refreshSeconds * 1000 : false;
}
