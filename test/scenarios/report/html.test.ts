import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plottedGroups, renderHtml } from '../../../scenarios/report/html.js';
import type { Report } from '../../../scenarios/report/types.js';
import { writeReport } from '../../../scenarios/report/write.js';
import { fixtureReport, PLOTTED_GROUPS } from './fixture.js';

function embedded(html: string): unknown {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  if (m === null) throw new Error('no embedded report');
  return JSON.parse(m[1] ?? '');
}

test('the page embeds the report and shows its figures', () => {
  const html = renderHtml(fixtureReport());
  assert.equal(embedded(html), fixtureReport());
  assert.ok(html.includes('<title>kemu report: pod-churn</title>'));
  assert.ok(html.includes('<div class="verdict fail" id="verdict">FAIL</div>'));
  assert.ok(html.includes('https://127.0.0.1:39443'));
  assert.ok(html.includes('<td>mutating-p99</td><td>p99 latency of mutating requests</td><td class="n">85.3</td><td class="n">50</td><td>ms</td><td><span class="notok">FAIL</span></td>'));
  assert.ok(html.includes('<td>create</td><td>pods</td><td class="n">1200</td><td class="n">3</td><td class="n">45</td>'));
  assert.ok(html.includes('timeout: 3 pods never Running'));
  assert.ok(html.includes('<td>creationToRunning</td><td class="n">1197</td>'));
  assert.ok(html.includes('<td>queue-full</td><td>workload-low</td><td class="n">40</td>'));
});

test('the page is self-contained', () => {
  const html = renderHtml(fixtureReport());
  assert.not.ok(/src="http/i.test(html), 'no external script or image');
  assert.not.ok(/href="http/i.test(html), 'no external stylesheet or link');
  assert.not.ok(/<script[^>]+src=/i.test(html));
  assert.not.ok(/<link /i.test(html));
  // uPlot's script and stylesheet are inlined.
  assert.ok(html.includes('var uPlot'));
  assert.ok(html.includes('.uplot'));
});

test('text in the data cannot break out of the page', () => {
  const evil = '</script><script>alert(1)</script><b>&amp;';
  const r: Report = { ...fixtureReport(), scenario: { ...fixtureReport().scenario, name: evil, description: evil } };
  const html = renderHtml(r);
  // Exactly the page's three script elements end.
  assert.is(html.split('</script>').length - 1, 3);
  assert.not.ok(html.includes('<script>alert(1)'));
  assert.not.ok(html.includes('<b>'));
  assert.equal((embedded(html) as Report).scenario.description, evil);
});

test('plotted groups: the series groups with data', () => {
  assert.equal(plottedGroups(fixtureReport()).sort(), [...PLOTTED_GROUPS].sort());
});

test('writeReport writes report.json and report.html, making the directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kemu-report-'));
  try {
    const out = join(dir, 'runs', 'one');
    const paths = await writeReport(out, fixtureReport());
    assert.equal(paths, { json: join(out, 'report.json'), html: join(out, 'report.html') });
    const json = await readFile(paths.json, 'utf8');
    assert.equal(JSON.parse(json), fixtureReport());
    assert.ok(json.includes('\n  "format": "kemu.report/v1",\n'), 'pretty-printed');
    assert.is(await readFile(paths.html, 'utf8'), renderHtml(fixtureReport()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
