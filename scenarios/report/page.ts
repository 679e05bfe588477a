// The static parts of report.html: its stylesheet and the script that draws the series with uPlot
// from the embedded report JSON. The script is plain browser JavaScript kept as text here, so the
// built package needs no asset copying.

export const PAGE_CSS = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg-alt: #f5f7fa; --pass: #1a7f37; --fail: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 20px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 0 0 6px; }
.description { color: var(--muted); margin: 0 0 12px; }
header { display: flex; justify-content: space-between; align-items: flex-start; gap: 24px; }
.verdict { font-size: 26px; font-weight: 700; letter-spacing: 0.06em; padding: 6px 22px; border-radius: 6px; color: #fff; white-space: nowrap; }
.verdict.pass { background: var(--pass); }
.verdict.fail { background: var(--fail); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 6px 18px; margin: 8px 0 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--bg-alt); font-weight: 600; font-size: 13px; white-space: nowrap; }
td.n, th.n { text-align: right; }
tr.step td { font-weight: 600; background: var(--bg-alt); }
tr.bad td { color: var(--fail); }
.ok { color: var(--pass); font-weight: 600; }
.notok { color: var(--fail); font-weight: 700; }
.empty { color: var(--muted); font-style: italic; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 8px 28px; align-items: start; }
.cols h3 { margin-top: 4px; }
#plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px 24px; }
figure.plot { margin: 0; min-width: 0; }
figure.plot .u-legend { font-size: 12px; text-align: left; }
figure.plot .u-legend th { background: none; font-weight: 500; }
figure.plot .u-legend th, figure.plot .u-legend td { border: 0; padding: 1px 6px; }
code { font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;

export const PAGE_SCRIPT = `
(function () {
  'use strict';
  const report = JSON.parse(document.getElementById('report-data').textContent);
  const container = document.getElementById('plots');
  // category10 without its grey, which would read as a grid line.
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
  const TITLES = {
    requests: 'Request rate', latency: 'Latency', inflight: 'In flight', rejections: 'Rejections',
    workqueue: 'Workqueue depth', memory: 'Memory', cpu: 'CPU',
  };
  const ORDER = Object.keys(TITLES);
  const xLabel = report.clock === 'virtual' ? 'modeled seconds' : 'seconds';

  function fmt(v) {
    if (v == null || !isFinite(v)) return '-';
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
    if (Number.isInteger(v) || a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    return v.toFixed(a >= 1 ? 2 : 3);
  }

  // Series named group/label, grouped; groups whose values are all null are left out.
  function groups() {
    const byGroup = new Map();
    for (const name of Object.keys(report.series.values)) {
      const values = report.series.values[name];
      if (!values.some((v) => v != null)) continue;
      const i = name.indexOf('/');
      const group = i < 0 ? name : name.slice(0, i);
      const label = i < 0 ? name : name.slice(i + 1);
      if (!byGroup.has(group)) byGroup.set(group, []);
      byGroup.get(group).push({ label: label, values: values });
    }
    const rank = (g) => (ORDER.indexOf(g) < 0 ? ORDER.length : ORDER.indexOf(g));
    return [...byGroup.keys()]
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .map((g) => ({ name: g, title: TITLES[g] || g, unit: report.series.units[g] || '', lines: byGroup.get(g) }));
  }

  function rgb(hex) {
    return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }

  // What the test reads back: painted pixels, and pixels in one of the lines' colors.
  function countPixels(ctx, colors) {
    const img = ctx.getImageData(0, 0, ctx.canvas.width, ctx.canvas.height).data;
    const targets = colors.map(rgb);
    let painted = 0;
    let line = 0;
    for (let p = 0; p < img.length; p += 4) {
      if (img[p + 3] === 0) continue;
      painted++;
      if (img[p + 3] < 128) continue;
      for (const t of targets) {
        if (Math.abs(img[p] - t[0]) + Math.abs(img[p + 1] - t[1]) + Math.abs(img[p + 2] - t[2]) < 60) { line++; break; }
      }
    }
    return { painted: painted, line: line };
  }

  const list = groups();
  const plots = [];
  let drawn = 0;
  let settled = 0;
  function settle() {
    settled++;
    if (settled === list.length) document.body.dataset.plots = String(drawn);
  }
  if (list.length === 0) {
    container.innerHTML = '<p class="empty">No series were recorded.</p>';
    document.body.dataset.plots = '0';
  }

  for (const g of list) {
    const figure = document.createElement('figure');
    figure.className = 'plot';
    figure.dataset.group = g.name;
    const title = document.createElement('h3');
    title.textContent = g.unit ? g.title + ' (' + g.unit + ')' : g.title;
    figure.appendChild(title);
    container.appendChild(figure);
    const colors = g.lines.map((_, i) => COLORS[i % COLORS.length]);
    const unitSuffix = g.unit ? ' ' + g.unit : '';
    let counted = false;
    const opts = {
      width: figure.clientWidth,
      height: 240,
      scales: {
        x: { time: false },
        y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] },
      },
      axes: [
        { label: xLabel, stroke: '#5b6475', grid: { stroke: '#eceff3', width: 1 }, ticks: { stroke: '#d9dde5', width: 1 } },
        { label: g.unit, size: 58, stroke: '#5b6475', values: (u, splits) => splits.map(fmt), grid: { stroke: '#eceff3', width: 1 }, ticks: { stroke: '#d9dde5', width: 1 } },
      ],
      series: [{ label: 'time', value: (u, v) => (v == null ? '-' : fmt(v) + ' s') }].concat(g.lines.map((l, i) => ({
        label: l.label,
        stroke: colors[i],
        width: 2,
        points: { show: false },
        value: (u, v) => (v == null ? '-' : fmt(v) + unitSuffix),
      }))),
      // Filled legend markers: an outlined square reads as a different series style.
      legend: { markers: { fill: (u, i) => colors[i - 1] } },
      hooks: {
        draw: [(u) => {
          if (counted) return;
          counted = true;
          const px = countPixels(u.ctx, colors);
          figure.dataset.pixels = String(px.painted);
          figure.dataset.linePixels = String(px.line);
          drawn++;
          settle();
        }],
      },
    };
    try {
      plots.push({ figure: figure, plot: new uPlot(opts, [report.series.seconds].concat(g.lines.map((l) => l.values)), figure) });
    } catch (e) {
      const p = document.createElement('p');
      p.className = 'notok';
      p.textContent = 'This plot failed: ' + e;
      figure.appendChild(p);
      settle();
    }
  }

  window.addEventListener('resize', () => {
    for (const p of plots) p.plot.setSize({ width: p.figure.clientWidth, height: 240 });
  });
})();
`;
