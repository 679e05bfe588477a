// A complete HTTP response computed without touching the transport, so document builders
// (discovery, OpenAPI) stay testable without fastify and the HTTP edge just copies it out.

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One clause of an Accept header. */
export interface AcceptClause {
  /** Lower-cased; `*` for wildcards. */
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  /** Parameters other than q, names lower-cased. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses Accept the way goautoneg.ParseAccept does for the apiserver: an empty header means
 * `*\/*`, clauses with q=0 are dropped, and the rest are ordered by q (highest first) with
 * concrete types ahead of wildcards; otherwise the client's order is kept.
 */
export function parseAccept(header: string | undefined): AcceptClause[] {
  const text = header === undefined || header.trim() === '' ? '*/*' : header;
  const clauses: (AcceptClause & { index: number })[] = [];
  let index = 0;
  for (const part of splitOutsideQuotes(text, ',')) {
    const [mediaRange, ...paramParts] = splitOutsideQuotes(part, ';').map((s) => s.trim());
    if (!mediaRange) continue;
    const slash = mediaRange.indexOf('/');
    const type = (slash < 0 ? mediaRange : mediaRange.slice(0, slash)).trim().toLowerCase();
    const subtype = (slash < 0 ? '*' : mediaRange.slice(slash + 1)).trim().toLowerCase();
    let q = 1;
    const params: Record<string, string> = {};
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const name = p.slice(0, eq).trim().toLowerCase();
      let value = p.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? n : 1;
      } else {
        params[name] = value;
      }
    }
    if (q <= 0) continue;
    clauses.push({ type, subtype, q, params, index: index++ });
  }
  clauses.sort((a, b) =>
    b.q - a.q
    || Number(a.type === '*') - Number(b.type === '*')
    || Number(a.subtype === '*') - Number(b.subtype === '*')
    || a.index - b.index);
  return clauses.map(({ index: _i, ...c }) => c);
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Whether a clause's media range covers `type/subtype`. */
export function clauseMatches(c: AcceptClause, type: string, subtype: string): boolean {
  return (c.type === '*' || c.type === type) && (c.subtype === '*' || c.subtype === subtype);
}

/**
 * If-None-Match against a quoted entity tag, with the weak comparison net/http's ServeContent
 * uses (a `W/` prefix is ignored, `*` matches anything).
 */
export function etagMatches(ifNoneMatch: string | undefined, quotedETag: string): boolean {
  if (!ifNoneMatch) return false;
  for (const raw of ifNoneMatch.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return true;
    const bare = tag.startsWith('W/') ? tag.slice(2) : tag;
    if (bare === quotedETag) return true;
  }
  return false;
}

export const EMPTY_BODY: Buffer = Buffer.alloc(0);
