// The operator's endpoint on the sim's port (not part of Binance's API): faults, state, deposits.
// Unauthenticated by design: the sim listens on loopback unless told otherwise.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { toFaultSpec, validateFaultSpec, InvalidFaultSpecError, type FaultSpec } from './faults.js';
import { readBody, sendJson } from './rest/http-handler.js';
import { isDecimalText, normalise } from './binance-numbers.js';
import type { RateLimitUsage } from './rate-limits.js';

export interface AdminActions {
  faults(): FaultSpec;
  setFaults(spec: FaultSpec): FaultSpec;
  updateFaults(partial: Partial<FaultSpec>): FaultSpec;
  dropWsConnections(): number;
  expireUserData(): number;
  save(): Promise<{ savedTo: string; savedAt: number }>;
  deposit(account: string, asset: string, amount: string, options?: { notify?: boolean }): void;
  stepMarket(): void;
  resetRateLimits(): void;
  rateLimitUsage(): RateLimitUsage;
  status(): Record<string, unknown>;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  return JSON.parse(text);
}

export function createAdminHandler(actions: AdminActions) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    try {
      switch (route) {
        case 'GET /admin/faults':
          sendJson(res, 200, actions.faults());
          return true;
        case 'PUT /admin/faults': {
          const body = await readBody(req);
          const trimmed = body.trim();
          // Either the JSON spec or the same string the --faults flag takes.
          const spec = trimmed.startsWith('{') ? validateFaultSpec(JSON.parse(trimmed)) : toFaultSpec(trimmed);
          sendJson(res, 200, actions.setFaults(spec));
          return true;
        }
        case 'PATCH /admin/faults': {
          const partial = parseJson(await readBody(req));
          if (typeof partial !== 'object' || partial === null)
            throw new InvalidFaultSpecError(partial, 'body must be a JSON object');
          sendJson(res, 200, actions.updateFaults(partial as Partial<FaultSpec>));
          return true;
        }
        case 'POST /admin/faults/drop-ws':
          sendJson(res, 200, { dropped: actions.dropWsConnections() });
          return true;
        case 'POST /admin/faults/expire-user-data':
          sendJson(res, 200, { expired: actions.expireUserData() });
          return true;
        case 'POST /admin/state/save':
          sendJson(res, 200, await actions.save());
          return true;
        case 'POST /admin/deposit': {
          const body = parseJson(await readBody(req)) as {
            account?: unknown;
            asset?: unknown;
            amount?: unknown;
            notify?: unknown;
          };
          if (typeof body.account !== 'string' || body.account === '')
            throw new AdminInputError('account', 'account must be a non-empty string');
          if (typeof body.asset !== 'string' || !/^[A-Z0-9]{1,20}$/.test(body.asset))
            throw new AdminInputError('asset', 'asset must be like "USDT"');
          if (typeof body.amount !== 'string' || !isDecimalText(body.amount))
            throw new AdminInputError('amount', 'amount must be a decimal string such as "100.5"');
          if (body.notify !== undefined && typeof body.notify !== 'boolean')
            throw new AdminInputError('notify', 'notify must be true or false');
          actions.deposit(body.account, body.asset, normalise(body.amount), { notify: body.notify !== false });
          sendJson(res, 200, {});
          return true;
        }
        case 'POST /admin/market/step':
          actions.stepMarket();
          sendJson(res, 200, {});
          return true;
        case 'GET /admin/rate-limits':
          sendJson(res, 200, actions.rateLimitUsage());
          return true;
        case 'POST /admin/rate-limits/reset':
          actions.resetRateLimits();
          sendJson(res, 200, {});
          return true;
        case 'GET /admin/status':
          sendJson(res, 200, actions.status());
          return true;
        default:
          sendJson(res, 404, { error: `no admin route ${route}` });
          return true;
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const status =
        err instanceof InvalidFaultSpecError || err instanceof AdminInputError || err instanceof SyntaxError
          ? 400
          : (err as { code?: unknown }).code === 'STATE_FILE_NOT_CONFIGURED'
            ? 409
            : 500;
      sendJson(res, status, { error: message });
      return true;
    }
  };
}

export class AdminInputError extends Error {
  override readonly name = 'AdminInputError';
  readonly code = 'ADMIN_INPUT_INVALID';
  constructor(
    readonly value: string,
    message: string,
  ) {
    super(message);
  }
}
