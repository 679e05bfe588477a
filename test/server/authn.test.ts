import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, promises as fs, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStatus, type Status } from '../../model/status.js';
import {
  bearerToken, createTokenAuthenticator, ensureAdminToken, parseTokensFile, type UserInfo,
} from '../../server/authn.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kemu-authn-'));
  dirs.push(d);
  return d;
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function user(v: UserInfo | Status): UserInfo {
  if (isStatus(v)) throw new Error(`expected a user, got ${v.code} ${v.message}`);
  return v;
}

function expect401(v: UserInfo | Status): void {
  assert.ok(isStatus(v), 'expected a Status');
  const s = v as Status;
  assert.is(s.code, 401);
  assert.is(s.reason, 'Unauthorized');
  assert.is(s.message, 'Unauthorized');
}

test('admin token authenticates as kemu-admin in system:masters', () => {
  const a = createTokenAuthenticator({ adminToken: 'adm1n' });
  const u = user(a.authenticate('Bearer adm1n'));
  assert.is(u.name, 'kemu-admin');
  assert.equal([...u.groups], ['system:masters', 'system:authenticated']);
  const again = user(createTokenAuthenticator({ adminToken: 'other' }).authenticate('Bearer other'));
  assert.is(again.uid, u.uid);
  assert.ok(u.uid.length > 0);
});

test('Bearer scheme is case-insensitive; header parsed like bearertoken', () => {
  const a = createTokenAuthenticator({ adminToken: 'tok' });
  for (const h of ['Bearer tok', 'bearer tok', 'BEARER tok', '  Bearer tok  ', 'Bearer tok trailing']) {
    assert.is(user(a.authenticate(h)).name, 'kemu-admin', h);
  }
  for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Bearer  tok', 'Basic tok', 'tok', 'Bearer tok2', 'Bearer to']) {
    expect401(a.authenticate(h));
  }
  assert.is(bearerToken('Bearer a b'), 'a');
  assert.is(bearerToken('Bearer\ttok'), undefined);
});

test('tokens file: quoted groups, optional groups, comments, system:authenticated added', () => {
  const dir = tempDir();
  const path = join(dir, 'tokens.csv');
  writeFileSync(path, [
    '# static tokens',
    '',
    't-alice,alice,uid-1,"dev,ops"',
    't-bob,bob,uid-2',
    '  ',
    't-carol,carol,uid-3,viewers\r',
    't-dave,dave,uid-4,"system:authenticated,x"',
    't-quote,"we""ird",uid-5,',
  ].join('\n'));
  const a = createTokenAuthenticator({ adminToken: 'adm', tokensFile: path });
  const alice = user(a.authenticate('Bearer t-alice'));
  assert.equal(alice, { name: 'alice', uid: 'uid-1', groups: ['dev', 'ops', 'system:authenticated'] });
  assert.equal(user(a.authenticate('Bearer t-bob')), { name: 'bob', uid: 'uid-2', groups: ['system:authenticated'] });
  assert.equal([...user(a.authenticate('Bearer t-carol')).groups], ['viewers', 'system:authenticated']);
  assert.equal([...user(a.authenticate('Bearer t-dave')).groups], ['system:authenticated', 'x']);
  assert.is(user(a.authenticate('Bearer t-quote')).name, 'we"ird');
  assert.is(user(a.authenticate('Bearer adm')).name, 'kemu-admin');
  expect401(a.authenticate('Bearer t-eve'));
});

test('tokens file: malformed lines are errors naming the line', () => {
  const cases: Array<[string, RegExp]> = [
    ['ok,u,1\nonly,two', /:2: must have at least 3 columns/],
    ['# c\n\nt,u,1,"a,b', /:3: unterminated quoted field/],
    ['t,u,1,"a"b', /:1: extraneous text/],
    ['t,u"x,1', /:1: bare "/],
    [',u,1', /:1: empty token/],
    ['t,,1', /:1: empty user name/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseTokensFile(text, 'tokens.csv'), re, text);
    assert.throws(() => parseTokensFile(text, 'tokens.csv'), /^tokens\.csv:|tokens\.csv/);
  }
  const dir = tempDir();
  const path = join(dir, 'bad.csv');
  writeFileSync(path, 'a,b,c\nbroken\n');
  assert.throws(() => createTokenAuthenticator({ adminToken: 'x', tokensFile: path }),
    (e: Error) => e.message.startsWith(`${path}:2:`));
  assert.throws(() => createTokenAuthenticator({ adminToken: 'x', tokensFile: join(dir, 'missing.csv') }));
});

test('tokens file cannot rebind the admin token; later duplicates win', () => {
  const dir = tempDir();
  const path = join(dir, 'tokens.csv');
  writeFileSync(path, 'adm,mallory,9\nd,first,1\nd,second,2\n');
  const a = createTokenAuthenticator({ adminToken: 'adm', tokensFile: path });
  assert.is(user(a.authenticate('Bearer adm')).name, 'kemu-admin');
  assert.is(user(a.authenticate('Bearer d')).name, 'second');
});

test('ensureAdminToken: generated once, 0600, stable', async () => {
  const dir = join(tempDir(), 'nested', 'data');
  const t1 = await ensureAdminToken(dir);
  assert.match(t1, /^[0-9a-f]{64}$/);
  assert.is(statSync(join(dir, 'admin-token')).mode & 0o777, 0o600);
  const t2 = await ensureAdminToken(dir);
  assert.is(t2, t1);
  assert.is((await fs.readFile(join(dir, 'admin-token'), 'utf8')).trim(), t1);
  const other = await ensureAdminToken(tempDir());
  assert.is.not(other, t1);
  assert.is(user(createTokenAuthenticator({ adminToken: t1 }).authenticate(`Bearer ${t1}`)).name, 'kemu-admin');
});

test.run();
