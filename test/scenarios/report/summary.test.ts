import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderSummary } from '../../../scenarios/report/summary.js';
import { fixtureReport } from './fixture.js';

// The summary's line whose first cells are `start`, split into cells at runs of 2+ spaces.
function rowOf(text: string, start: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(start));
  if (line === undefined) throw new Error(`no line starting with ${JSON.stringify(start)} in:\n${text}`);
  return line.split(/\s{2,}/);
}

test('first line names scenario, target, clock, duration and verdict', () => {
  const first = renderSummary(fixtureReport()).split('\n')[0] ?? '';
  for (const part of ['scenario pod-churn', 'scale 1', 'target embedded https://127.0.0.1:39443', 'clock virtual', 'duration 61.5 s', 'verdict FAIL']) {
    assert.ok(first.includes(part), `${part} missing from ${first}`);
  }
});

test('phases, requests, counters, timings and SLOs carry the report figures', () => {
  const s = renderSummary(fixtureReport());
  assert.equal(rowOf(s, 'create-pods  pods'), ['create-pods', 'pods', 'create', '1200', '1197', '3', '29.4']);
  assert.equal(rowOf(s, 'create-pods  running'), ['create-pods', 'running', 'wait', '1200', '1197', '3', '1.4', 'timeout: 3 pods never Running']);
  assert.equal(rowOf(s, 'create  '), ['create', 'pods', '1200', '3', '45', '8.2', '85.3', '240']);
  assert.equal(rowOf(s, 'list  '), ['list', 'pods', '60', '0', '0', '35', '120', '132']);
  assert.equal(rowOf(s, '429 '), ['429', 'TooManyRequests', '57']);
  assert.equal(rowOf(s, 'queue-full'), ['queue-full', 'workload-low', '40']);
  assert.ok(s.includes('Retry-After: 57 answers, max 1 s, total wait 57 s'));
  assert.equal(rowOf(s, 'podsRunning'), ['podsRunning', '1197']);
  assert.equal(rowOf(s, 'creationToRunning'), ['creationToRunning', '1197', '1200', '2500', '4100', '5200']);
  assert.equal(rowOf(s, 'mutating-p99'), ['mutating-p99', '85.3', '50', 'ms', 'FAIL']);
  assert.equal(rowOf(s, 'pods-running'), ['pods-running', '99.8', '99', '%', 'PASS']);
});

test('columns are aligned', () => {
  const s = renderSummary(fixtureReport());
  const block = s.split('\n\n').find((b) => b.startsWith('Requests')) ?? '';
  const lines = block.split('\n').slice(1);
  const ends = new Set(lines.map((l) => l.length));
  assert.is(ends.size, 1, `right-aligned last column ends at one width:\n${block}`);
  const countEnd = (lines[0] ?? '').indexOf('count') + 'count'.length;
  for (const l of lines.slice(1)) assert.match(l.slice(0, countEnd), /\d$/);
});

test('colors only when asked', () => {
  assert.not.match(renderSummary(fixtureReport()), /\x1b\[/);
  const colored = renderSummary(fixtureReport(), { color: true });
  assert.ok(colored.includes('\x1b[1;31mFAIL\x1b[0m'));
  assert.ok(colored.includes('\x1b[32mPASS\x1b[0m'));
  // Escapes do not shift the columns: without them the text is the plain summary.
  assert.is(colored.replace(/\x1b\[[0-9;]*m/g, ''), renderSummary(fixtureReport()));
});

test('empty sections are left out', () => {
  const r = { ...fixtureReport(), responses: [], rejections: [], retryAfter: { count: 0, maxSeconds: 0, totalWaitSeconds: 0 }, timings: {}, verdict: 'pass' as const };
  const s = renderSummary(r);
  assert.not.ok(s.includes('Retry-After'));
  assert.not.ok(s.includes('Timings'));
  assert.not.ok(s.includes('Non-2xx'));
  assert.ok(s.split('\n')[0]?.endsWith('verdict PASS'));
});

test.run();
