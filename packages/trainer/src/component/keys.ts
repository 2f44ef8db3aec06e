/** `main_thread` → `mainThread`, `n_runners` → `nRunners`; camelCase names are unchanged. */
export function camelCase(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A dict spec's keys in camelCase (upstream snake_case specs keep working, orchestration §7). */
export function camelCaseKeys(dict: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dict)) out[camelCase(key)] = value;
  return out;
}
