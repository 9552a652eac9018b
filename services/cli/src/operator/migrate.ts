// `bourse migrate`: creates the database when missing and applies the order manager's, the
// reconciler's and the operator audit log's migrations (each service also migrates its own schema at start).
import { migrateOrderManagerStore, migrateReconcilerStore } from '@bourse/ledger';
import { ensureDatabase, ensureSchema, namespaceSchema } from '@bourse/store';
import { CommandFailedError } from '../errors.js';
import { databaseNameOf, maskUrl } from '@bourse/servers';
import { migrateCliStore } from './audit.js';
import type { OperatorContext } from './context.js';
import { describe, formatJson } from './format.js';

interface SchemaOutcome {
  readonly schema: string;
  readonly applied: string[];
  readonly alreadyApplied: number;
}

export async function runMigrate(ctx: OperatorContext, options: { json: boolean }): Promise<number> {
  const url = ctx.config.servers.postgres;
  let created: boolean;
  const outcomes: SchemaOutcome[] = [];
  try {
    created = (await ensureDatabase(url, { connectTimeoutMs: 5_000 })) === 'created';
    const schema = namespaceSchema(ctx.config.namespace);
    if (schema !== undefined) await ensureSchema(ctx.pool(), schema);
    const oms = await migrateOrderManagerStore(ctx.pool());
    outcomes.push({
      schema: 'order-manager',
      applied: oms.applied.map((m) => `${m.version} ${m.name}`),
      alreadyApplied: oms.alreadyApplied.length,
    });
    const recon = await migrateReconcilerStore(ctx.pool());
    outcomes.push({
      schema: 'reconciler',
      applied: recon.applied.map((m) => `${m.version} ${m.name}`),
      alreadyApplied: recon.alreadyApplied.length,
    });
    const audit = await migrateCliStore(ctx.pool());
    outcomes.push({
      schema: 'operator-audit',
      applied: audit.applied.map((m) => `${m.version} ${m.name}`),
      alreadyApplied: audit.alreadyApplied.length,
    });
  } catch (err) {
    throw new CommandFailedError('PostgreSQL', `migration failed on ${maskUrl(url)}: ${describe(err)}`, { cause: err });
  }
  ctx.audit.info({ operator: ctx.operator, outcomes }, `operator ${ctx.operator} migrated ${databaseNameOf(url)}`);
  if (options.json) {
    ctx.out(formatJson({ database: databaseNameOf(url), created, schemas: outcomes }));
    return 0;
  }
  if (created) ctx.out(`created database "${databaseNameOf(url)}"`);
  for (const o of outcomes) {
    ctx.out(
      o.applied.length > 0
        ? `${o.schema}: applied ${o.applied.join(', ')}`
        : `${o.schema}: current (${o.alreadyApplied} migration(s) applied before)`,
    );
  }
  return 0;
}
