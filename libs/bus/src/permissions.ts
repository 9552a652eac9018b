import type { Subjects } from '@bourse/contracts';
import { STREAM_KEYS } from './streams.js';
import type { StreamKey } from './types.js';

// Least privilege on the bus: which subjects each service's NATS user may publish and subscribe
// to, derived from the same subjects, stream names and buckets the services use, so the server's
// permissions cannot drift from the code. `renderNatsAuthorization` turns it into nats-server config
// (deploy/nats/auth.conf is its output for the production namespace).

export const BUS_ROLES = [
  'market-data',
  'strategy-runner',
  'risk-gate',
  'order-manager',
  'reconciler',
  'operator',
] as const;
export type BusRole = (typeof BUS_ROLES)[number];

export interface SubjectPermissions {
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/** How one user proves who it is: a public nkey (the seed stays with the service), or user + password. */
export type NatsUserAuth = { readonly nkey: string } | { readonly user: string; readonly password: string };

const JS = '$JS.API';

/** The lease bucket of the strategy runners (strategy-runner derives the same name). */
function leaseBucket(subjects: Subjects): string {
  const s = subjects.prefix === '' ? '' : `${subjects.prefix.toUpperCase().replace(/[^A-Z0-9_-]/g, '_')}_`;
  return `${s}strategy_leases`;
}

/** Read and watch a KV bucket (direct gets, ordered consumers for watches), never write it. */
function kvRead(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [
    `${JS}.STREAM.INFO.${stream}`,
    `${JS}.STREAM.CREATE.${stream}`,
    `${JS}.DIRECT.GET.${stream}`,
    `${JS}.DIRECT.GET.${stream}.>`,
    `${JS}.STREAM.MSG.GET.${stream}`,
    `${JS}.CONSUMER.CREATE.${stream}`,
    `${JS}.CONSUMER.CREATE.${stream}.>`,
    `${JS}.CONSUMER.DELETE.${stream}.>`,
    `${JS}.CONSUMER.INFO.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

function kvWrite(bucket: string): string[] {
  return [`$KV.${bucket}.>`];
}

/** Pull from the durable consumers of one stream and acknowledge what was handled. */
function consume(subjects: Subjects, key: StreamKey): string[] {
  const stream = subjects.streams[key];
  return [
    `${JS}.CONSUMER.INFO.${stream}.>`,
    `${JS}.CONSUMER.CREATE.${stream}.>`,
    `${JS}.CONSUMER.DURABLE.CREATE.${stream}.>`,
    `${JS}.CONSUMER.MSG.NEXT.${stream}.>`,
    `$JS.ACK.${stream}.>`,
  ];
}

/** Read a stream with ephemeral ordered consumers (created, read, deleted); nothing acknowledged. */
function follow(subjects: Subjects, key: StreamKey): string[] {
  return [...consume(subjects, key), `${JS}.CONSUMER.DELETE.${subjects.streams[key]}.>`];
}

/** What every service needs: check JetStream, make sure the streams exist, dead-letter, answer requests. */
function common(subjects: Subjects, service: string): string[] {
  return [
    `${JS}.INFO`,
    ...STREAM_KEYS.flatMap((k) => [
      `${JS}.STREAM.INFO.${subjects.streams[k]}`,
      `${JS}.STREAM.CREATE.${subjects.streams[k]}`,
    ]),
    subjects.dlq(service),
    ...kvRead(subjects.tradingStateBucket),
    // Replies to requests go to the requester's inbox.
    '_INBOX.>',
  ];
}

const INBOX = '_INBOX.>';

/** Publish and subscribe permissions of each service's user in one namespace. */
export function busPermissions(subjects: Subjects): Record<BusRole, SubjectPermissions> {
  const p = subjects.prefix === '' ? '' : `${subjects.prefix}.`;
  const cmd = (service: string) => `${p}cmd.${service}.>`;
  // Only the order manager and the operator may change a stream's settings (ensureStreams updates
  // only when the declared config differs, so the other services never need it).
  const streamUpdate = STREAM_KEYS.map((k) => `${JS}.STREAM.UPDATE.${subjects.streams[k]}`);
  return {
    'market-data': {
      publish: [...common(subjects, 'market-data'), subjects.md.all()],
      subscribe: [INBOX, cmd('market-data')],
    },
    'strategy-runner': {
      publish: [
        ...common(subjects, 'strategy-runner'),
        subjects.intentsAll(),
        // Durables on EXEC and RISK; the runner also replays EXEC and RECON with ordered consumers.
        ...follow(subjects, 'EXEC'),
        ...consume(subjects, 'RISK'),
        ...follow(subjects, 'RECON'),
        ...kvRead(leaseBucket(subjects)),
        ...kvWrite(leaseBucket(subjects)),
      ],
      subscribe: [INBOX, subjects.md.all(), cmd('strategy-runner')],
    },
    'risk-gate': {
      publish: [
        ...common(subjects, 'risk-gate'),
        `${p}order.request.>`,
        `${p}risk.>`,
        ...consume(subjects, 'INTENTS'),
        ...consume(subjects, 'EXEC'),
        // Recent decisions and order requests are read back at start (decision history).
        ...follow(subjects, 'RISK'),
        ...follow(subjects, 'ORDERS'),
        // The automatic kill switch halts through the trading state.
        ...kvWrite(subjects.tradingStateBucket),
      ],
      subscribe: [INBOX, subjects.md.all(), cmd('risk-gate')],
    },
    'order-manager': {
      publish: [
        ...common(subjects, 'order-manager'),
        ...streamUpdate,
        subjects.exec.all(),
        ...consume(subjects, 'ORDERS'),
        ...consume(subjects, 'RECON'),
        // Asks the reconciler for a run after a reconnect.
        subjects.command('reconciler', 'recon-now'),
      ],
      // Quotes for the execution tactics; the reconciler's reports.
      subscribe: [INBOX, subjects.md.all(), `${p}recon.>`, cmd('order-manager')],
    },
    reconciler: {
      publish: [
        ...common(subjects, 'reconciler'),
        `${p}recon.>`,
        // Missed fills go to the order manager, the single writer of fills.
        subjects.command('order-manager', 'apply-corrections'),
        // Drift beyond tolerance halts trading.
        ...kvWrite(subjects.tradingStateBucket),
      ],
      subscribe: [INBOX, subjects.md.all(), cmd('reconciler')],
    },
    operator: {
      publish: [
        ...common(subjects, 'operator'),
        ...streamUpdate,
        `${p}cmd.>`,
        ...kvWrite(subjects.tradingStateBucket),
        // Reads for `bourse status` and `recon`: last messages and short-lived consumers on any stream.
        ...STREAM_KEYS.flatMap((k) => [
          ...follow(subjects, k),
          `${JS}.STREAM.MSG.GET.${subjects.streams[k]}`,
          `${JS}.DIRECT.GET.${subjects.streams[k]}.>`,
        ]),
      ],
      subscribe: [INBOX, `${p}md.>`, `${p}recon.>`, `${p}exec.>`],
    },
  };
}

/** Name of the environment variable nats-server reads a role's password from in the rendered config. */
export function passwordVariable(role: BusRole): string {
  return `BOURSE_NATS_PASSWORD_${role.toUpperCase().replace(/-/g, '_')}`;
}

function list(values: readonly string[], indent: string): string {
  return `[\n${values.map((v) => `${indent}  ${JSON.stringify(v)}`).join(',\n')}\n${indent}]`;
}

/**
 * nats-server `authorization` block for a namespace. `users` gives each role's credentials; a role
 * left out gets user = role name and its password from the environment variable
 * `passwordVariable(role)` (nats-server substitutes `$NAME` from its environment), so the
 * rendered file holds no secret.
 */
export function renderNatsAuthorization(
  subjects: Subjects,
  users: Partial<Record<BusRole, NatsUserAuth>> = {},
): string {
  const perms = busPermissions(subjects);
  const entries = BUS_ROLES.map((role) => {
    const auth = users[role];
    const who =
      auth === undefined
        ? `user: ${JSON.stringify(role)}, password: $${passwordVariable(role)}`
        : 'nkey' in auth
          ? `nkey: ${JSON.stringify(auth.nkey)}`
          : `user: ${JSON.stringify(auth.user)}, password: ${JSON.stringify(auth.password)}`;
    const { publish, subscribe } = perms[role];
    return [
      `    # ${role}`,
      `    {`,
      `      ${who}`,
      `      permissions: {`,
      `        publish: { allow: ${list(publish, '        ')} }`,
      `        subscribe: { allow: ${list(subscribe, '        ')} }`,
      `      }`,
      `    }`,
    ].join('\n');
  });
  return [
    `# Generated by renderNatsAuthorization() in libs/bus/src/permissions.ts for namespace "${subjects.prefix}".`,
    '# Do not edit by hand: change the code and render again (pnpm --filter @bourse/bus render-nats-auth).',
    'authorization {',
    '  users: [',
    entries.join('\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}
