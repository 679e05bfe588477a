// The count of injected faults as a Prometheus counter. prom-client is not HTTP; the server
// passes its registry in, so the counter appears on its /metrics.
import { Counter, type Registry } from 'prom-client';
import type { FaultCounter } from './injector.js';
import type { FaultActionType } from './rules.js';

export function faultMetrics(registry: Registry): FaultCounter {
  const injected = new Counter({
    name: 'kemu_injected_faults_total',
    help: 'Faults injected by kemu fault rules, by rule name and action type.',
    labelNames: ['rule', 'action'],
    registers: [registry],
  });
  return {
    inc(rule: string, action: FaultActionType): void {
      injected.inc({ rule, action });
    },
  };
}
