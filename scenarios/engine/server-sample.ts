// The server's side of the per-second sample: in-flight requests (APF's executing seats by
// priority level when it runs, else max-in-flight's by request kind), 429s so far by reason,
// and the process's memory and CPU, read from the target's /metrics.
import type { RestClient } from '../client/rest.js';
import { readInflight, readProcess, readRejections, scrapeMetrics } from '../client/scrape.js';
import type { ServerSample } from './sampler.js';

/** `client` must not be rate limited nor counted: scraping is not part of the load. */
export function serverSampler(client: RestClient): () => Promise<ServerSample | null> {
  return async () => {
    const m = await scrapeMetrics(client);
    if (!m) return null;
    const inflight = readInflight(m);
    const seats = Object.keys(inflight.executingSeats).length > 0;
    const proc = readProcess(m);
    return {
      inflight: seats ? Object.fromEntries(Object.entries(inflight.executingSeats).map(([k, v]) => [`${k} seats`, v])) : inflight.byKind,
      rejected: readRejections(m),
      rssBytes: proc.residentMemoryBytes,
      cpuSeconds: proc.cpuSecondsTotal,
    };
  };
}
