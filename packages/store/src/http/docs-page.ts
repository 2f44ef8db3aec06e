import type { OpenApiDocument } from "./openapi.js";

// A self-contained HTML reference of the API, rendered on the server from the OpenAPI document:
// no scripts, no CDN (the machines it runs on are often offline).

type Json = Record<string, unknown>;

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** Inline markdown of the descriptions: only `code` spans. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

function schemaLink(name: string): string {
  return `<a href="#schema-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></a>`;
}

/** A short type label of a JSON schema (`string | null`, `Rollout[]`, `"asc" | "desc"`). */
function typeLabel(schema: unknown): string {
  if (schema === null || typeof schema !== "object") return "any";
  const s = schema as Json;
  if (typeof s.$ref === "string") return schemaLink(refName(s.$ref));
  if (Array.isArray(s.enum))
    return s.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(" | ");
  if ("const" in s) return `<code>${escapeHtml(JSON.stringify(s.const))}</code>`;
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(union)) return union.map(typeLabel).join(" | ");
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : [];
  if (types.length === 0) return "any";
  return types
    .map((t) => {
      if (t === "array") return `${typeLabel(s.items)}[]`;
      if (t === "object" && s.additionalProperties && typeof s.additionalProperties === "object") {
        return `object&lt;string, ${typeLabel(s.additionalProperties)}&gt;`;
      }
      return escapeHtml(t);
    })
    .join(" | ");
}

function fieldsTable(schema: Json): string {
  const properties = schema.properties as Record<string, Json> | undefined;
  if (!properties || Object.keys(properties).length === 0) return "";
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows = Object.entries(properties).map(([name, property]) => {
    const def = "default" in property ? `<code>${escapeHtml(JSON.stringify(property.default))}</code>` : "";
    return `<tr><td><code>${escapeHtml(name)}</code></td><td>${typeLabel(property)}</td><td>${required.has(name) ? "yes" : ""}</td><td>${def}</td></tr>`;
  });
  return `<table><thead><tr><th>field</th><th>type</th><th>required</th><th>default</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function parametersTable(parameters: Json[]): string {
  if (parameters.length === 0) return "";
  const rows = parameters.map((p) => {
    const schema = (p.schema ?? {}) as Json;
    const def = "default" in schema ? `<code>${escapeHtml(JSON.stringify(schema.default))}</code>` : "";
    const note = typeof p.description === "string" ? inline(p.description) : "";
    return `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td><td>${typeLabel(schema)}</td><td>${p.required ? "yes" : ""}</td><td>${def}</td><td>${note}</td></tr>`;
  });
  return `<h4>Parameters</h4><table><thead><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>default</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function contentLine(content: Json | undefined): string {
  if (!content) return "";
  return Object.entries(content)
    .map(([type, media]) => {
      const schema = (media as Json).schema;
      return ` <span class="ct">${escapeHtml(type)}</span>${schema ? ` ${typeLabel(schema)}` : ""}`;
    })
    .join(";");
}

function operationHtml(path: string, method: string, op: Json): string {
  const id = `op-${escapeHtml(String(op.operationId ?? `${method}-${path}`))}`;
  const body = op.requestBody as Json | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(
      ([status, r]) =>
        `<li><b>${escapeHtml(status)}</b> ${inline(String(r.description ?? ""))}${contentLine(r.content as Json)}</li>`,
    )
    .join("");
  return `<section class="op" id="${id}">
<h3><span class="m m-${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h3>
<p>${inline(String(op.summary ?? ""))}</p>${op.description ? `<p class="desc">${inline(String(op.description))}</p>` : ""}
${parametersTable((op.parameters as Json[] | undefined) ?? [])}
${body ? `<h4>Request body${body.required ? "" : " (optional)"}</h4><p>${contentLine(body.content as Json)}</p>` : ""}
<h4>Responses</h4><ul>${responses}</ul>
</section>`;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 2rem;color:#1d1d1f}
h1{margin-bottom:0}h2{border-bottom:1px solid #ddd;margin-top:2.5rem}code{font:13px ui-monospace,monospace;background:#f3f3f5;padding:0 .2em;border-radius:3px}
.op{border:1px solid #e3e3e8;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}.op h3{font-size:16px}
.m{display:inline-block;min-width:3.6em;text-align:center;color:#fff;border-radius:3px;font-size:12px;padding:2px 6px;margin-right:.4em}
.m-get{background:#2f7d32}.m-post{background:#1565c0}.desc{color:#444}.ct{color:#666;font-size:13px}
table{border-collapse:collapse;margin:.4rem 0}td,th{border:1px solid #e3e3e8;padding:2px 8px;text-align:left;vertical-align:top;font-size:14px}
nav ul{columns:2}pre{background:#f7f7f9;padding:.6rem;overflow:auto;font-size:12px}details{margin:.3rem 0}`;

/** Renders the OpenAPI document as one self-contained HTML page (no scripts, no external assets). */
export function renderDocsPage(doc: OpenApiDocument): string {
  const info = (doc.info ?? {}) as Json;
  const byTag = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item as Record<string, Json>)) {
      const tag = ((op.tags as string[] | undefined) ?? ["other"])[0] ?? "other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(path, method, op)]);
      const link = `<li><a href="#op-${escapeHtml(String(op.operationId))}">${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</a></li>`;
      toc.set(tag, [...(toc.get(tag) ?? []), link]);
    }
  }
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const schemaHtml = Object.entries(schemas)
    .map(
      ([name, schema]) =>
        `<details id="schema-${escapeHtml(name)}"><summary><code>${escapeHtml(name)}</code> ${schema.description ? inline(String(schema.description)) : ""}</summary>${fieldsTable(schema)}<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`,
    )
    .join("\n");
  const sections = [...byTag.entries()].map(
    ([tag, ops]) => `<h2 id="tag-${escapeHtml(tag)}">${escapeHtml(tag)}</h2>\n${ops.join("\n")}`,
  );
  const nav = [...toc.entries()].map(
    ([tag, links]) => `<h4>${escapeHtml(tag)}</h4><ul>${links.join("")}</ul>`,
  );
  const authNote =
    Array.isArray(doc.security) && doc.security.length > 0
      ? "<p><strong>Authentication:</strong> this server needs <code>Authorization: Bearer &lt;key&gt;</code> on every request but health, this page and <code>openapi.json</code>.</p>"
      : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(String(info.title ?? "API"))}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(String(info.title ?? "API"))} <small>${escapeHtml(String(info.version ?? ""))}</small></h1>
<p>${inline(String(info.description ?? ""))} The machine-readable document is at <a href="openapi.json"><code>openapi.json</code></a> (OpenAPI ${escapeHtml(doc.openapi)}).</p>
${authNote}
<nav>${nav.join("\n")}</nav>
${sections.join("\n")}
<h2 id="schemas">Schemas</h2>
${schemaHtml}
</body></html>`;
}
