// uPlot's script and stylesheet, inlined into report.html so the page works offline and alone.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface UplotAssets {
  readonly js: string;
  readonly css: string;
}

let cached: UplotAssets | undefined;

/** Text that goes inside a <script> or <style> element must not contain its end tag. */
export function assertInlineable(text: string, tag: 'script' | 'style', what: string): string {
  if (text.toLowerCase().includes(`</${tag}`)) throw new Error(`${what} contains </${tag}> and cannot be inlined`);
  return text;
}

export function uplotAssets(): UplotAssets {
  if (cached === undefined) {
    const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
    cached = {
      js: assertInlineable(readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'), 'script', 'uPlot.iife.min.js'),
      css: assertInlineable(readFileSync(join(dist, 'uPlot.min.css'), 'utf8'), 'style', 'uPlot.min.css'),
    };
  }
  return cached;
}
