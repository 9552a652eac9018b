// Writes deploy/nats/auth.conf: the per-service users and permissions of the production namespace.
// Usage: pnpm --filter @bourse/bus render-nats-auth [namespace]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSubjects } from '@bourse/contracts';
import { renderNatsAuthorization } from './permissions.js';

const namespace = process.argv[2] ?? '';
const target = fileURLToPath(new URL('../../../deploy/nats/auth.conf', import.meta.url));
writeFileSync(target, renderNatsAuthorization(createSubjects(namespace)));
process.stdout.write(`wrote ${target}\n`);
