// Request bodies made fit for another server. A recorded object carries what its first server
// set: resourceVersion, uid, creation time, generation, managedFields. Sent as they are they would
// conflict (a stale resourceVersion is a 409) or be refused, so they are removed; an update then
// replaces the object unconditionally, as a PUT without resourceVersion does, which is what the
// recorded update did on its own server, where it was current. DeleteOptions lose their
// preconditions (the uid and resourceVersion of the first server's object).

type Obj = Record<string, unknown>;

const SERVER_SET = ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
const SERVER_SET_PATHS = SERVER_SET.map((f) => `/metadata/${f}`);

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `body` without the first server's bookkeeping. */
export function cleanBody(body: unknown): unknown {
  if (Array.isArray(body)) {
    // A JSON patch: operations on those fields (a `test` of the old resourceVersion) go.
    return body.filter((op) => !(isObject(op) && typeof op.path === 'string' && SERVER_SET_PATHS.some((p) => op.path === p || (op.path as string).startsWith(`${p}/`))));
  }
  if (!isObject(body)) return body;
  const out: Obj = { ...body };
  if (isObject(body.metadata)) {
    const meta: Obj = { ...body.metadata };
    for (const f of SERVER_SET) delete meta[f];
    out.metadata = meta;
  }
  if (body.kind === 'DeleteOptions') delete out.preconditions;
  return out;
}

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/**
 * The Content-Type of a recorded PATCH. kemu's records carry it; a real audit log does not, so it
 * is guessed from the body: an array is a JSON patch; an object with apiVersion and kind sent
 * with a fieldManager is a server-side apply (apply bodies must name both; kubectl's other
 * patches rarely do); otherwise a strategic merge patch for a built-in type, as kubectl sends,
 * and a merge patch for custom resources, which do not take strategic ones.
 */
export function patchContentType(body: unknown, query: Readonly<Record<string, string>>, builtin: boolean): string {
  if (Array.isArray(body)) return PATCH_TYPES.json;
  if (isObject(body) && typeof body.apiVersion === 'string' && typeof body.kind === 'string' && query.fieldManager !== undefined) return PATCH_TYPES.apply;
  return builtin ? PATCH_TYPES.strategic : PATCH_TYPES.merge;
}
