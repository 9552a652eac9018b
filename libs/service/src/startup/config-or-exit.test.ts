import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServiceConfigError } from '../config/config-error.js';
import { CONFIG_ERROR_EXIT_CODE, configOrExit } from './config-or-exit.js';

class Exited extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`exit ${String(code)}`);
  }
}

afterEach(() => vi.restoreAllMocks());

function stubProcess(): { printed: string[] } {
  const printed: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exited(code);
  });
  return { printed };
}

describe('configOrExit', () => {
  it('returns the configuration', () => {
    expect(configOrExit('svc', () => ({ port: 1 }))).toEqual({ port: 1 });
  });

  it('prints "<service>: <message>" and exits 2 on a configuration error', () => {
    const { printed } = stubProcess();
    const load = (): never => {
      throw new ServiceConfigError('NATS_URL', 'invalid svc configuration: NATS_URL must be a URL');
    };
    expect(() => configOrExit('svc', load)).toThrow(new Exited(CONFIG_ERROR_EXIT_CODE));
    expect(printed).toEqual(['svc: invalid svc configuration: NATS_URL must be a URL']);
  });

  it('rethrows any other error unless told it is a configuration error too', () => {
    const { printed } = stubProcess();
    const load = (): never => {
      throw new Error('boom');
    };
    expect(() => configOrExit('svc', load)).toThrow('boom');
    expect(() => configOrExit('svc', load, () => true)).toThrow(new Exited(2));
    expect(printed).toEqual(['svc: boom']);
  });
});
