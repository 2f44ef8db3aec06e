import { type StoreOption, storeOptionEntries } from "./options.js";

/** `agl --help`. */
export function mainHelp(version: string): string {
  return `agl ${version}: the Agent Lightning server

Usage:
  agl store [options]     Serve the LightningStore over HTTP (see 'agl store --help')
  agl vllm <args...>      Run vLLM's OpenAI-compatible server, arguments passed through; checks
                          that it returns token ids (see 'agl vllm --help')
  agl agentops            Not needed here: the tracer instruments LLM clients itself and the
                          store takes OTLP at /v1/traces (see 'agl agentops --help')
  agl prometheus          Not needed here: every 'agl store' serves its metrics at
                          /v1/prometheus/ (see 'agl prometheus --help')
  agl --version           Print the version
  agl --help              Print this help
`;
}

function flagText(spec: StoreOption<unknown>): string {
  const long = `--${spec.flag}${spec.value === undefined ? "" : ` ${spec.value}`}`;
  return spec.short === undefined ? long : `-${spec.short}, ${long}`;
}

function envText(spec: StoreOption<unknown>): string {
  if (spec.env === undefined) return "";
  if (spec.kind === "switch") return `${spec.env}=1`;
  return spec.env;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** `agl store --help`: every option of the table, with its environment variable and default. */
export function storeHelp(): string {
  const entries = storeOptionEntries().map(([, spec]) => spec);
  const flagWidth = Math.max(...entries.map((spec) => flagText(spec).length)) + 2;
  const envWidth = Math.max(...entries.map((spec) => envText(spec).length)) + 2;
  const indent = " ".repeat(4);
  const options = entries
    .map((spec) => {
      const head = `  ${flagText(spec).padEnd(flagWidth)}${envText(spec).padEnd(envWidth)}${spec.defaultText}`;
      const help = wrap(spec.help.replaceAll("`", "'"), 96).map((line) => `${indent}${line}`);
      return [head, ...help].join("\n");
    })
    .join("\n");
  return `Usage: agl store [options]

Serves the LightningStore HTTP API (/v1/agl/..., alias /agl/v1/...), OTLP traces (/v1/traces),
health (/v1/agl/health), Prometheus metrics (/v1/prometheus/) and the API reference
(/v1/agl/docs, also at /). With no database URL the store runs on embedded PGlite in --data-dir
and keeps its data across restarts; with one it uses that PostgreSQL server. Migrations run at
start. Several servers may share one PostgreSQL database (scale-out).

Options (flag, environment variable, default):
${options}

Flags win over environment variables; when a flag and an inherited variable pick different stores
(say --data-dir and DATABASE_URL), the flag is used and the server logs what it ignored. Only the
variables above are read: plain HOST and PORT, which many tools set, are not. SIGINT/SIGTERM stop
the server gracefully: in-flight requests finish, then the store closes. Exit codes: 0 after a
clean stop, 1 when the server cannot start, 2 for bad options.
`;
}

function markdownCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/**
 * The README's table of `agl store` options, generated from the same table as `--help`
 * (`test/readme-options.test.ts` checks that the README holds exactly this).
 */
export function storeOptionsMarkdown(): string {
  const rows = storeOptionEntries().map(([, spec]) => {
    const flag = `\`${flagText(spec)}\``;
    const env = spec.env === undefined ? "" : `\`${envText(spec)}\``;
    return `| ${markdownCell(flag)} | ${env} | ${markdownCell(spec.defaultText)} | ${markdownCell(spec.help)} |`;
  });
  return ["| flag | environment | default | what it does |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
