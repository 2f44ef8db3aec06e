// Parsers of option values. Each takes the text of a flag or an environment variable and returns
// the typed value, or throws a plain message (the caller names the flag or variable).

/** A parser of one option's text; throws an `Error` whose message says what was expected. */
export type ValueParser<T> = (text: string) => T;

/** Any text. */
export const text: ValueParser<string> = (value) => value;

/** A finite number `>= min` (and `<= max`), optionally an integer. */
export function numberAtLeast(
  min: number,
  { integer = false, max = Number.POSITIVE_INFINITY }: { integer?: boolean; max?: number } = {},
): ValueParser<number> {
  return (value) => {
    const parsed = Number(value);
    if (
      value.trim() === "" ||
      !Number.isFinite(parsed) ||
      parsed < min ||
      parsed > max ||
      (integer && !Number.isInteger(parsed))
    ) {
      const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `from ${min} to ${max}`;
      throw new Error(`must be ${integer ? "an integer" : "a number"} ${range}, got '${value}'`);
    }
    return parsed;
  };
}

/** One of `choices`. */
export function oneOf<const T extends string>(choices: readonly T[]): ValueParser<T> {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new Error(`must be one of ${choices.join(", ")}, got '${value}'`);
    }
    return value as T;
  };
}

/** Text matching `pattern`, described as `what` in the error. */
export function matching(pattern: RegExp, what: string): ValueParser<string> {
  return (value) => {
    if (!pattern.test(value)) throw new Error(`must be ${what}, got '${value}'`);
    return value;
  };
}

/** A switch given in the environment: 1/true/yes/on or 0/false/no/off. */
export const switchValue: ValueParser<boolean> = (value) => {
  const lower = value.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(lower)) return true;
  if (["0", "false", "no", "off"].includes(lower)) return false;
  throw new Error(`must be 1/true/yes/on or 0/false/no/off, got '${value}'`);
};

/** A comma-separated list (environment) or one item (a repeated flag); blanks dropped. */
export const commaList: ValueParser<string[]> = (value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
