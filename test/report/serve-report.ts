/** A status server on a free port over a report the test controls (status page tests). */
import { renderMetrics } from '../../src/report/metrics.js';
import { startStatusServer } from '../../src/report/http-server.js';
import type { StatusReport } from '../../src/report/status-schema.js';
import type { JournalEntry } from '../../src/state/model.js';

export function serveReport(
  report: () => StatusReport,
  options: { token?: string; events?: JournalEntry[] } = {},
): ReturnType<typeof startStatusServer> {
  const events = options.events ?? [];
  return startStatusServer({
    port: 0,
    ...(options.token ? { token: options.token } : {}),
    getStatus: report,
    getMetrics: () => renderMetrics(report()),
    getEvents: (limit) => events.slice(-limit),
    health: () => ({ ok: true }),
  });
}
