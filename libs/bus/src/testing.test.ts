import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { jetstreamManager } from '@nats-io/jetstream';
import { NATS_URL } from './test-helpers.js';
import { removeTestNamespace, testSubjects } from './testing.js';

async function streamNames(): Promise<string[]> {
  const nc = await connect({ servers: NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const info of jsm.streams.list()) names.push(info.config.name);
    return names;
  } finally {
    await nc.close();
  }
}

describe('removeTestNamespace', () => {
  it('deletes every bucket made under the namespace, and none of another namespace', async () => {
    const mine = testSubjects();
    const other = testSubjects();
    const prefixOf = (s: typeof mine) => s.streams.INTENTS.replace(/INTENTS$/, '');
    const nc = await connect({ servers: NATS_URL });
    try {
      const kvm = new Kvm(nc);
      // A bucket a service names with the namespace prefix, as the strategy runner names its leases.
      await kvm.create(`${prefixOf(mine)}strategy_leases`);
      await kvm.create(`${prefixOf(other)}strategy_leases`);
    } finally {
      await nc.close();
    }
    await removeTestNamespace(mine, NATS_URL);
    const names = await streamNames();
    expect(names).not.toContain(`KV_${prefixOf(mine)}strategy_leases`);
    expect(names).toContain(`KV_${prefixOf(other)}strategy_leases`);
    await removeTestNamespace(other, NATS_URL);
    expect(await streamNames()).not.toContain(`KV_${prefixOf(other)}strategy_leases`);
  });

  it('refuses the production namespace', async () => {
    await expect(removeTestNamespace({ ...testSubjects(), prefix: '' }, NATS_URL)).rejects.toThrow(/production/);
  });
});
