import type { View } from './view.ts';

interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: Record<string, unknown>[];
}

interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Text from the OpenAPI document, with `quoted code` shown as code rather than between literal backticks. */
function Prose({ text }: { text: string }) {
  const parts = text.split(/`([^`]+)`/);
  return <>{parts.map((part, i) => (i % 2 ? <code>{part}</code> : part))}</>;
}

/**
 * A reference to the API drawn from the same OpenAPI document programs read, rendered on the server so that it
 * works without script and under the site's strict content policy.
 */
export function ApiDocsPage({ v, doc }: { v: View; doc: OpenApiDoc }) {
  const byTag = new Map<string, { path: string; method: string; op: OpenApiOperation }[]>();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ path, method, op });
    }
  }
  const tags = [...byTag.keys()].sort();
  const anchor = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <div class="usa-prose maxw-none">
      <h1>{doc.info.title}</h1>
      {doc.info.description && (
        <p>
          <Prose text={doc.info.description} />
        </p>
      )}
      <p>
        Version {doc.info.version}. Machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
      </p>
      <nav aria-label="API sections">
        <ul>
          {tags.map((t) => (
            <li>
              <a href={`#${anchor(t)}`}>{t}</a>
            </li>
          ))}
        </ul>
      </nav>
      {tags.map((t) => (
        <section aria-labelledby={anchor(t)}>
          <h2 id={anchor(t)}>{t}</h2>
          {byTag.get(t)!.map(({ path, method, op }) => (
            <article class="margin-bottom-4">
              <h3>
                <code>
                  {method.toUpperCase()} {path}
                </code>
              </h3>
              {op.summary && (
                <p>
                  <Prose text={op.summary} />
                </p>
              )}
              {op.description && (
                <p>
                  <Prose text={op.description} />
                </p>
              )}
              {op.security && <p>Authentication: bearer token or signed-in session.</p>}
              {op.parameters && op.parameters.length > 0 && (
                <table class="usa-table usa-table--compact table-fit table-fit--words">
                  <caption>Parameters</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">In</th>
                      <th scope="col">Required</th>
                      <th scope="col">Schema</th>
                    </tr>
                  </thead>
                  <tbody>
                    {op.parameters.map((p) => (
                      <tr>
                        <td>
                          <code>{p.name}</code>
                        </td>
                        <td>{p.in}</td>
                        <td>{p.required ? 'yes' : 'no'}</td>
                        <td>
                          <code>{JSON.stringify(p.schema)}</code>
                          {p.description ? (
                            <>
                              {' '}
                              <Prose text={p.description} />
                            </>
                          ) : (
                            ''
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {op.requestBody?.content && (
                <details>
                  <summary>Request body</summary>
                  <pre tabIndex={0}>{JSON.stringify(Object.values(op.requestBody.content)[0]?.schema, null, 2)}</pre>
                </details>
              )}
              {op.responses && (
                <p>
                  Responses:{' '}
                  <Prose
                    text={Object.entries(op.responses)
                      .map(([code, r]) => `${code}${r.description ? ' ' + r.description : ''}`)
                      .join(', ')}
                  />
                </p>
              )}
            </article>
          ))}
        </section>
      ))}
    </div>
  );
}
