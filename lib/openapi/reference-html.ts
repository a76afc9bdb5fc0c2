import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, RequestBodyObject } from "openapi3-ts/oas31";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refName(schema: unknown): string | undefined {
  const ref = (schema as ReferenceObject | undefined)?.$ref;
  return ref?.split("/").pop();
}

function bodyName(body: RequestBodyObject | ReferenceObject | undefined): string | undefined {
  return refName((body as RequestBodyObject | undefined)?.content?.["application/json"]?.schema);
}

function operationHtml(method: string, path: string, op: OperationObject): string {
  const params = ((op.parameters ?? []) as ParameterObject[])
    .map((p) => `<code>${escapeHtml(p.name)}</code> (${p.in}${p.required ? ", required" : ""})`)
    .join(", ");
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<li><code>${status}</code> ${escapeHtml((r as { description?: string }).description ?? "")}</li>`)
    .join("");
  const body = bodyName(op.requestBody);
  return `<section id="${escapeHtml(op.operationId ?? `${method}-${path}`)}">
<h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2>
<p>${escapeHtml(op.summary ?? "")}</p>
${op.description ? `<p>${escapeHtml(op.description).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>` : ""}
${params ? `<p>Parameters: ${params}</p>` : ""}
${body ? `<p>Body: <a href="#schema-${escapeHtml(body)}">${escapeHtml(body)}</a></p>` : ""}
<ul>${responses}</ul>
</section>`;
}

/** A plain, dependency-free reference page rendered from the OpenAPI document (no CDN, no script). */
export function renderReferenceHtml(doc: OpenAPIObject): string {
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => operationHtml(m, path, item[m]!)));
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} reference</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
code,pre{font-family:ui-monospace,monospace}pre{background:#f4f4f5;padding:.75rem;overflow:auto;font-size:.85rem}
section{border-top:1px solid #ddd;padding-top:.5rem}h2{font-size:1.1rem}</style></head>
<body><main>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description ?? "")}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code>. Errors are <code>{"error": code, "message": text, "field"?: name}</code>.
Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
${operations.join("\n")}
<h2>Schemas</h2>
${schemas}
</main></body></html>`;
}
