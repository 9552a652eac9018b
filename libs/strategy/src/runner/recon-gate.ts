import type { ReconciliationReport } from '@bourse/contracts';

/** Why the last reconciliation does not allow trading yet. */
export interface ReconBlock {
  readonly reason: 'reconciliation-pending' | 'reconciliation-failed';
  readonly detail: string;
}

/**
 * The second half of safe start (DESIGN principle 9, issue #8): besides an ACTIVE trading state, a
 * runner emits nothing for a venue until the latest reconciliation report of that venue says `ok`.
 * Before any report it waits; a later report with another verdict blocks again until the next `ok`.
 * "Latest" is by the report's finishedAt, so a late-delivered older run cannot override a newer one.
 */
export class ReconGate {
  private readonly latest = new Map<string, ReconciliationReport>();

  constructor(private readonly required: boolean) {}

  apply(report: ReconciliationReport): void {
    const held = this.latest.get(report.venue);
    if (held !== undefined && held.finishedAt > report.finishedAt) return;
    this.latest.set(report.venue, report);
  }

  blockFor(venue: string): ReconBlock | undefined {
    if (!this.required) return undefined;
    const report = this.latest.get(venue);
    if (report === undefined) {
      return { reason: 'reconciliation-pending', detail: `no reconciliation report for ${venue} yet (safe start)` };
    }
    if (report.verdict !== 'ok') {
      return {
        reason: 'reconciliation-failed',
        detail: `last reconciliation ${report.runId} of ${venue}: ${report.verdict} (drift ${report.drift.value} ${report.drift.asset})`,
      };
    }
    return undefined;
  }
}
