// A `run` phase: scenario code in TypeScript, for what templates cannot say (a simulated
// controller, an agent per cluster). The module's default export gets the run's context and the
// phase's `with:` settings (templated over the parameters) and reports its own counts.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join, relative } from 'node:path';
import { repoRoot } from '../../model/fixtures.js';
import type { PhaseReport } from '../report/types.js';
import type { Value } from './expr.js';
import type { RunContext } from './context.js';
import { evalNumber } from './phase.js';
import type { PhaseSpec } from './spec.js';
import { compileTemplate } from './template.js';

export interface ModuleResult {
  readonly succeeded: number;
  readonly failed: number;
  readonly error?: string;
}

/** What a scenario module exports as default. */
export type ScenarioModule = (ctx: RunContext, settings: Readonly<Record<string, Value>>, phase: PhaseSpec) => Promise<ModuleResult>;

// Under tsx a module is imported from its .ts source; a compiled kemu imports the .js that
// tsc wrote under dist/ for the same path.
function importable(path: string): string {
  if (!path.endsWith('.ts') || process.execArgv.some((a) => a.includes('tsx')) || process.env.TSX_TSCONFIG_PATH) return path;
  const compiled = join(repoRoot(), 'dist', relative(repoRoot(), path)).replace(/\.ts$/, '.js');
  return existsSync(compiled) ? compiled : path;
}

export class ModulePhase {
  constructor(private readonly spec: PhaseSpec, private readonly ctx: RunContext) {}

  count(): number {
    return evalNumber(this.spec.count, this.ctx.params, `${this.spec.name}.count`, 0);
  }

  async run(): Promise<PhaseReport> {
    const start = this.ctx.seconds();
    const count = this.count();
    const loaded = (await import(pathToFileURL(importable(this.spec.module!)).href)) as { default?: ScenarioModule };
    if (typeof loaded.default !== 'function') {
      return { name: this.spec.name, action: 'run', count, succeeded: 0, failed: count, startSeconds: start, endSeconds: this.ctx.seconds(), error: `${this.spec.module} has no default export function` };
    }
    const settings = compileTemplate(this.spec.with ?? {})(this.ctx.params) as Record<string, Value>;
    const r = await loaded.default(this.ctx, settings, this.spec);
    return {
      name: this.spec.name, action: 'run', count, succeeded: r.succeeded, failed: r.failed,
      startSeconds: start, endSeconds: this.ctx.seconds(), ...(r.error ? { error: r.error } : {}),
    };
  }
}
