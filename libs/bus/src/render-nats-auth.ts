// Writes the per-service users and permissions of the production namespace where each deployment
// reads them: deploy/nats/auth.conf (compose, `nats-server -c deploy/nats/secured.conf`) and its
// copies beside the Kubernetes NATS configs (kustomize reads no file outside its folder).
// Usage: pnpm --filter @bourse/bus render-nats-auth [namespace]
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSubjects } from '@bourse/contracts';
import { renderNatsAuthorization } from './permissions.js';

// Every file that holds the rendered authorization block (permissions.test.ts checks the same list).
const NATS_AUTH_FILES = ['deploy/nats/auth.conf', 'k8s/base/servers/auth.conf', 'k8s/overlays/live/auth.conf'];

const namespace = process.argv[2] ?? '';
for (const file of NATS_AUTH_FILES) {
  const target = fileURLToPath(new URL(`../../../${file}`, import.meta.url));
  writeFileSync(target, renderNatsAuthorization(createSubjects(namespace)));
  process.stdout.write(`wrote ${target}\n`);
}
