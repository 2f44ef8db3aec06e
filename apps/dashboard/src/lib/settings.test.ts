import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, effectiveStoreUrl, loadSettings, saveSettings } from "./settings.js";

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  };
}

describe("settings", () => {
  it("survive a save and load, and ignore malformed values", () => {
    const storage = memoryStorage();
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    saveSettings({ ...DEFAULT_SETTINGS, apiKey: "k", theme: "dark", refreshSeconds: 0 }, storage);
    expect(loadSettings(storage)).toMatchObject({ apiKey: "k", theme: "dark", refreshSeconds: 0 });
    storage.setItem("agentlightning.dashboard.settings", '{"theme":"pink","refreshSeconds":-3}');
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    storage.setItem("agentlightning.dashboard.settings", "{not json");
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
  });
  it("take the store URL from ?store=, then the setting, then the page's origin", () => {
    const loc = { search: "", origin: "http://127.0.0.1:4747" };
    expect(effectiveStoreUrl(DEFAULT_SETTINGS, loc)).toBe("http://127.0.0.1:4747");
    expect(effectiveStoreUrl({ ...DEFAULT_SETTINGS, storeUrl: "http://h:1/" }, loc)).toBe("http://h:1");
    expect(
      effectiveStoreUrl(
        { ...DEFAULT_SETTINGS, storeUrl: "http://h:1" },
        { ...loc, search: "?store=http://o:2" },
      ),
    ).toBe("http://o:2");
  });
});
