// report.html in headless Chromium: every series group becomes a drawn, non-blank plot. Needs
// /usr/bin/chromium (Debian: apt-get install -y chromium); KEMU_SKIP_BROWSER=1 skips it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCommand } from '../../../scenarios/engine/main.js';
import type { Report } from '../../../scenarios/report/types.js';
import { writeReport } from '../../../scenarios/report/write.js';
import { fixtureReport, PLOTTED_GROUPS } from './fixture.js';

const CANDIDATES = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const chromium = CANDIDATES.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
const skip = process.env.KEMU_SKIP_BROWSER === '1';

function run(args: readonly string[]): Promise<string> {
  if (chromium === undefined) throw new Error('unreachable');
  return new Promise((resolve, reject) => {
    execFile(chromium, [...args], { timeout: 90_000, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${chromium} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function page(report: Report = fixtureReport()): Promise<{ dir: string; url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kemu-report-browser-'));
  const { html } = await writeReport(dir, report);
  return { dir, url: pathToFileURL(html).href };
}

const flags = (dir: string, name: string): string[] => [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
  `--user-data-dir=${join(dir, `profile-${name}`)}`, '--virtual-time-budget=5000',
];

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

if (skip) {
  test('browser tests skipped (KEMU_SKIP_BROWSER=1)', () => {
    console.log('  report.html browser tests skipped: KEMU_SKIP_BROWSER=1');
  });
} else if (chromium === undefined) {
  test('chromium is installed', () => {
    assert.unreachable(
      `no Chromium found (looked at ${CANDIDATES.filter((c) => c !== undefined).join(', ')}): ` +
        'install it with `apt-get install -y chromium`, point $CHROMIUM at one, or set KEMU_SKIP_BROWSER=1',
    );
  });
} else {
  test('every series group is drawn as a non-blank plot', async () => {
    const { dir, url } = await page();
    const dom = await run([...flags(dir, 'dom'), '--dump-dom', url]).finally(() => rm(dir, { recursive: true, force: true }));
    const body = /<body[^>]*>/.exec(dom)?.[0] ?? '';
    assert.is(attr(body, 'data-plots'), String(PLOTTED_GROUPS.length), `body: ${body}`);
    const figures = [...dom.matchAll(/<figure class="plot"[^>]*>/g)].map((m) => m[0]);
    assert.equal(figures.map((f) => attr(f, 'data-group')), PLOTTED_GROUPS, 'one plot per group, in order, the all-null group left out');
    for (const f of figures) {
      const painted = Number(attr(f, 'data-pixels'));
      const line = Number(attr(f, 'data-line-pixels'));
      assert.ok(painted > 3000, `${f}: axes, grid and lines painted`);
      assert.ok(line > 300, `${f}: the lines themselves painted`);
    }
    assert.ok(dom.includes('modeled seconds'), 'virtual clock: x axis in modeled seconds');
  });

  test('a report without series draws no plot and says so', async () => {
    const { dir, url } = await page({ ...fixtureReport(), series: { seconds: [], values: {}, units: {} } });
    const dom = await run([...flags(dir, 'dom'), '--dump-dom', url]).finally(() => rm(dir, { recursive: true, force: true }));
    assert.is(attr(/<body[^>]*>/.exec(dom)?.[0] ?? '', 'data-plots'), '0');
    assert.ok(dom.includes('No series were recorded.'));
  });

  test('the report of a real run draws its request, latency, in-flight and workqueue plots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kemu-report-run-'));
    try {
      const file = join(dir, 'cms.yaml');
      await writeFile(file, [
        'name: cms', 'description: ConfigMaps for a report', 'steps:', '  - name: s', '    phases:',
        '      - { name: cms, action: create, count: 300, rate: 150, workers: 4, template: { apiVersion: v1, kind: ConfigMap, metadata: { name: "cm-{{i}}" } } }',
      ].join('\n'));
      const { files } = await runCommand({ scenario: file, scale: 1, sets: {}, out: join(dir, 'out'), progress: false });
      const dom = await run([...flags(dir, 'run'), '--dump-dom', pathToFileURL(files.html).href]);
      const groups = [...dom.matchAll(/<figure class="plot"[^>]*>/g)].map((m) => attr(m[0], 'data-group'));
      for (const g of ['requests', 'latency', 'inflight', 'workqueue']) assert.ok(groups.includes(g), `${g} plotted: ${groups.join(', ')}`);
      const requests = [...dom.matchAll(/<figure class="plot"[^>]*>/g)].map((m) => m[0]).find((f) => attr(f, 'data-group') === 'requests')!;
      assert.ok(Number(attr(requests, 'data-line-pixels')) > 300, requests);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('screenshot at 1280 px', async () => {
    const { dir, url } = await page();
    const png = join(dir, 'report.png');
    // The page and its screenshot stay for a person to look at; the browser profile goes.
    await run([...flags(dir, 'shot'), '--hide-scrollbars', `--screenshot=${png}`, '--window-size=1280,2400', url])
      .finally(() => rm(join(dir, 'profile-shot'), { recursive: true, force: true }));
    assert.ok((await stat(png)).size > 50_000, 'a screenshot with content');
    console.log(`  report.html screenshot: ${png}`);
  });
}

test.run();
