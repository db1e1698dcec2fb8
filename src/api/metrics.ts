import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestMetrics } from '../ingest/index.js';

/** Prometheus metrics of one server: its own registry, no global state. */
export class ServerMetrics implements IngestMetrics {
  readonly registry = new Registry();
  private readonly acceptedTotal = new Counter({
    name: 'segmentum_events_accepted_total',
    help: 'Events durably stored, by type.',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly rejectedTotal = new Counter({
    name: 'segmentum_events_rejected_total',
    help: 'Events and bodies kept in quarantine, by error code.',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly duplicatesTotal = new Counter({
    name: 'segmentum_events_duplicate_total',
    help: 'Events dropped as duplicates of a stored messageId from the same source.',
    registers: [this.registry],
  });
  private readonly commitSize = new Histogram({
    name: 'segmentum_commit_batch_events',
    help: 'Events (and quarantined items) written per transaction.',
    buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000, 25000],
    registers: [this.registry],
  });
  private readonly commitSeconds = new Histogram({
    name: 'segmentum_commit_duration_seconds',
    help: 'Time to resolve identities and commit one transaction.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'segmentum_http_request_duration_seconds',
    help: 'HTTP request latency, by route and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'segmentum_' });
  }

  accepted(type: string, n: number): void {
    this.acceptedTotal.inc({ type }, n);
  }
  rejected(code: string, n: number): void {
    this.rejectedTotal.inc({ code }, n);
  }
  duplicates(n: number): void {
    this.duplicatesTotal.inc(n);
  }
  committed(events: number, seconds: number): void {
    this.commitSize.observe(events);
    this.commitSeconds.observe(seconds);
  }
}
