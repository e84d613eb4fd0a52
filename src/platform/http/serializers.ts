/**
 * Fastify's response serializers, compiled once per response schema in a process instead of once per app.
 *
 * Compiling a route's response schemas into a serializer (fast-json-stringify generates and compiles code) was most
 * of the time an app took to get ready: about 1 s of CPU of 1.2 s, for every app built. A server builds one app, so
 * this changes nothing for it; a test process builds one per test app, and each rebuilt the same serializers (the
 * schemas are the same, often the same objects). The serializer depends only on the schema and on the shared
 * schemas it may refer to (`app.addSchema`), so it is kept under both.
 */
import fastJsonStringify from 'fast-json-stringify';

type Serializer = (data: unknown) => string;

const compiled = new Map<string, Serializer>();

/**
 * A serializer compiler for `app.setSerializerCompiler`, given the schemas added to the app with `addSchema`. Kept
 * under the schema's JSON text (what fast-json-stringify reads), not the object: a schema built afresh per app
 * (`Paged(X)`) still hits, and one changed after it was first compiled does not.
 */
export function cachedSerializerCompiler(shared: Record<string, object>) {
  const sharedKey = JSON.stringify(shared);
  return ({ schema }: { schema: object }): Serializer => {
    const key = sharedKey + '\n' + JSON.stringify(schema);
    let serializer = compiled.get(key);
    if (!serializer) {
      const id = (schema as { $id?: string }).$id;
      // As Fastify's own compiler does: a schema that is itself a shared schema is not given to itself again.
      const external = id && id in shared ? Object.fromEntries(Object.entries(shared).filter(([k]) => k !== id)) : shared;
      serializer = fastJsonStringify(schema as never, { schema: external as never }) as Serializer;
      compiled.set(key, serializer);
    }
    return serializer;
  };
}
