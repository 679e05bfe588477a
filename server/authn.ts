// Bearer-token authentication, following kube-apiserver's static token file authenticator
// (k8s.io/apiserver/pkg/authentication/token/tokenfile) and bearertoken request parsing.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Status, unauthorized } from '../model/status.js';
import { writeFileAtomic } from './tls.js';

import type { UserInfo } from '../model/user.js';

export type { UserInfo };

export interface Authenticator {
  /** `authorization` is the raw Authorization header; a 401 Status when it does not authenticate. */
  authenticate(authorization: string | undefined): UserInfo | Status;
}

export const ADMIN_USER_NAME = 'kemu-admin';
// Fixed so that anything keyed by uid (audit, SelfSubjectReview output) is stable across restarts.
export const ADMIN_USER_UID = '6b656d75-0000-4000-8000-61646d696e00';
export const SYSTEM_MASTERS = 'system:masters';
export const SYSTEM_AUTHENTICATED = 'system:authenticated';

interface Entry {
  readonly token: Buffer;
  readonly user: UserInfo;
}

export interface TokenAuthenticatorOptions {
  readonly adminToken: string;
  /** Path to a kube-apiserver `--token-auth-file` CSV: `token,user,uid[,"group1,group2"]`. */
  readonly tokensFile?: string;
  /** In-memory tokens (the simulated controllers' credentials): token -> user. */
  readonly extraUsers?: ReadonlyMap<string, UserInfo>;
}

/** Throws at startup when the tokens file cannot be read or has a malformed line. */
export function createTokenAuthenticator(opts: TokenAuthenticatorOptions): Authenticator {
  const byHash = new Map<string, Entry>();
  const add = (token: string, user: UserInfo): void => {
    byHash.set(tokenHash(token), { token: Buffer.from(token, 'utf8'), user });
  };

  if (opts.tokensFile !== undefined) {
    const text = readFileSync(opts.tokensFile, 'utf8');
    // Later lines win on duplicate tokens, as in kube-apiserver.
    for (const { token, user } of parseTokensFile(text, opts.tokensFile)) add(token, user);
  }
  for (const [token, user] of opts.extraUsers ?? []) add(token, user);
  if (!opts.adminToken) throw new Error('admin token must not be empty');
  // Added last so a tokens file cannot rebind the admin token to a less privileged user.
  add(opts.adminToken, {
    name: ADMIN_USER_NAME,
    uid: ADMIN_USER_UID,
    groups: [SYSTEM_MASTERS, SYSTEM_AUTHENTICATED],
  });

  return {
    authenticate(authorization: string | undefined): UserInfo | Status {
      const token = bearerToken(authorization);
      if (token === undefined) return unauthorized();
      // The map lookup is keyed by a hash, so its timing reveals nothing usable about the
      // token; the final byte comparison is constant-time.
      const entry = byHash.get(tokenHash(token));
      if (!entry) return unauthorized();
      const presented = Buffer.from(token, 'utf8');
      if (presented.length !== entry.token.length || !timingSafeEqual(presented, entry.token)) {
        return unauthorized();
      }
      return entry.user;
    },
  };
}

/**
 * The token from `Bearer <token>`, as bearertoken.AuthenticateRequest reads it: the header is
 * trimmed, split on single spaces into at most 3 parts, the scheme is case-insensitive, and
 * anything after the token is ignored.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  const auth = (authorization ?? '').trim();
  if (!auth) return undefined;
  const parts = auth.split(' ');
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  const token = parts[1];
  return token ? token : undefined;
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface TokenFileEntry {
  readonly token: string;
  readonly user: UserInfo;
}

/**
 * Parses `--token-auth-file` CSV. Blank and `#` lines are skipped; every user also gets
 * `system:authenticated`. Throws an Error naming `source` and the line for malformed input.
 */
export function parseTokensFile(text: string, source = 'tokens file'): TokenFileEntry[] {
  const out: TokenFileEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fail = (why: string): never => {
      throw new Error(`${source}:${i + 1}: ${why}`);
    };
    const fields = splitCsvLine(trimmed);
    if (typeof fields === 'string') fail(fields);
    const record = fields as string[];
    if (record.length < 3) {
      fail(`must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    }
    const [token, name, uid] = record;
    if (!token) fail('empty token');
    if (!name) fail('empty user name');
    const groups = record.length >= 4
      ? record[3].split(',').map((g) => g.trim()).filter((g) => g !== '')
      : [];
    if (!groups.includes(SYSTEM_AUTHENTICATED)) groups.push(SYSTEM_AUTHENTICATED);
    out.push({ token, user: { name, uid, groups } });
  }
  return out;
}

// One CSV record in encoding/csv's strict dialect (no embedded newlines, `""` escapes a
// quote inside a quoted field); whitespace around fields is dropped for readability.
// Returns an error message instead of throwing so the caller can attach the line number.
function splitCsvLine(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return 'unterminated quoted field';
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (i < line.length && line[i] !== ',') return `extraneous text after quoted field at column ${i + 1}`;
      fields.push(value);
    } else {
      const end = line.indexOf(',', i);
      const value = (end < 0 ? line.slice(i) : line.slice(i, end)).trim();
      if (value.includes('"')) return `bare " in non-quoted field at column ${i + 1}`;
      fields.push(value);
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/**
 * kemu's own admin token, generated once (32 random bytes, hex: base64url could start with '-',
 * which command lines such as `kemu run --token T` would take for a flag) and kept in
 * `<dataDir>/admin-token` (mode 0600) so existing kubeconfigs keep working after a restart.
 */
export async function ensureAdminToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'admin-token');
  try {
    const existing = (await fs.readFile(path, 'utf8')).trim();
    if (existing) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}
