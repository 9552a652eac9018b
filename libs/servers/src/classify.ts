// Sorts a connection error into "nothing answers there" (missing) and "something answers but
// refuses us" (failed), and names it in a few words. Pure over the error's shape.

const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EADDRNOTAVAIL: 'address not available',
};

export interface Classified {
  readonly reachable: boolean;
  readonly reason: string;
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errors?: unknown; cause?: unknown };
  if (typeof e.code === 'string') return e.code;
  // Node reports a host name with several addresses (localhost: ::1 and 127.0.0.1) as an AggregateError.
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = codeOf(inner);
      if (code !== undefined) return code;
    }
  }
  if (e.cause !== undefined) return codeOf(e.cause);
  return undefined;
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function classifyConnectionError(err: unknown): Classified {
  const code = codeOf(err);
  if (code !== undefined && UNREACHABLE[code] !== undefined) return { reachable: false, reason: UNREACHABLE[code] };
  const message = messageOf(err);
  if (/timeout|timed out/i.test(message)) return { reachable: false, reason: 'timed out' };
  if (/connection refused/i.test(message)) return { reachable: false, reason: 'connection refused' };
  return { reachable: true, reason: message.split('\n')[0] ?? message };
}
