import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { StoreApi } from "./lib/api.js";
import { ApiContext } from "./lib/api-context.js";
import { useRoute } from "./lib/router.js";
import {
  effectiveStoreUrl,
  loadSettings,
  type Settings,
  SettingsContext,
  saveSettings,
} from "./lib/settings.js";
import { AnnotatePage } from "./pages/annotate-page.js";
import { ResourcesPage } from "./pages/resources-page.js";
import { RewardsPage } from "./pages/rewards-page.js";
import { RolloutDetailPage } from "./pages/rollout-detail-page.js";
import { RolloutsPage } from "./pages/rollouts-page.js";
import { SettingsPage } from "./pages/settings-page.js";
import { SpansPage } from "./pages/spans-page.js";
import { WorkersPage } from "./pages/workers-page.js";

const NAV: Array<{ path: string; label: string }> = [
  { path: "rollouts", label: "Rollouts" },
  { path: "rewards", label: "Rewards" },
  { path: "spans", label: "Spans" },
  { path: "resources", label: "Resources" },
  { path: "workers", label: "Workers" },
  { path: "annotate", label: "Annotate" },
  { path: "settings", label: "Settings" },
];

function useTheme(theme: Settings["theme"]) {
  useEffect(() => {
    const media = window.matchMedia?.("(prefers-color-scheme: dark)");
    const apply = () => {
      const dark = theme === "dark" || (theme === "system" && media?.matches === true);
      document.documentElement.dataset.theme = dark ? "dark" : "light";
    };
    apply();
    media?.addEventListener?.("change", apply);
    return () => media?.removeEventListener?.("change", apply);
  }, [theme]);
}

function Page() {
  const route = useRoute();
  const [first, second] = route.segments;
  switch (first ?? "rollouts") {
    case "rollouts":
      return second ? <RolloutDetailPage rolloutId={second} /> : <RolloutsPage />;
    case "rewards":
      return <RewardsPage />;
    case "spans":
      return <SpansPage />;
    case "resources":
      return <ResourcesPage />;
    case "workers":
      return <WorkersPage />;
    case "annotate":
      return <AnnotatePage />;
    case "settings":
      return <SettingsPage />;
    default:
      return (
        <div className="state">
          Unknown page <code>{first}</code>. <a href="#/rollouts">Go to rollouts</a>.
        </div>
      );
  }
}

/** The dashboard: navigation, settings, the store client and the page of the current URL. */
export function App({ initialSettings }: { initialSettings?: Settings }) {
  const [settings, setSettings] = useState<Settings>(() => initialSettings ?? loadSettings());
  const storeUrl = effectiveStoreUrl(settings, window.location);
  const api = useMemo(
    () => new StoreApi({ baseUrl: storeUrl, apiKey: settings.apiKey, authHeader: settings.authHeader }),
    [storeUrl, settings.apiKey, settings.authHeader],
  );
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 1000 } },
      }),
  );
  // A new store or key makes every cached answer stale: drop them and refetch what is shown.
  const firstApi = useRef(api);
  useEffect(() => {
    if (firstApi.current === api) return;
    firstApi.current = api;
    void queryClient.resetQueries();
  }, [api, queryClient]);
  useTheme(settings.theme);
  const settingsValue = useMemo(
    () => ({
      settings,
      storeUrl,
      update(patch: Partial<Settings>) {
        setSettings((old) => {
          const next = { ...old, ...patch };
          saveSettings(next);
          return next;
        });
      },
    }),
    [settings, storeUrl],
  );
  const route = useRoute();
  const current = route.segments[0] ?? "rollouts";
  return (
    <SettingsContext.Provider value={settingsValue}>
      <ApiContext.Provider value={api}>
        <QueryClientProvider client={queryClient}>
          <div className="shell">
            <nav className="nav" aria-label="Pages">
              <div className="brand">⚡ Agent Lightning</div>
              {NAV.map((item) => (
                <a key={item.path} href={`#/${item.path}`} className={current === item.path ? "active" : ""}>
                  {item.label}
                </a>
              ))}
              <div className="store" title="Store URL">
                {storeUrl}
              </div>
            </nav>
            <main className="main">
              <Page />
            </main>
          </div>
        </QueryClientProvider>
      </ApiContext.Provider>
    </SettingsContext.Provider>
  );
}
