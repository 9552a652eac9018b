// Figure 2's baseline, run as its own process like the gateway: the least a gateway can do — one
// `ws` connection to the same source with the same streams, `JSON.parse` of each frame and a core
// NATS publish of its data, re-encoded, on `<prefix>md.bare.<symbol>.<kind>`. No validation, no
// normalising, no Redis. Parent (IPC): { url, nats, prefix } → { ready }.
import { connect } from '@nats-io/transport-node';
import { ws } from './deps.js';

process.once('message', (m: { url: string; nats: string; prefix: string }) => {
  void (async () => {
    const nc = await connect({ servers: m.nats });
    const p = m.prefix === '' ? '' : `${m.prefix}.`;
    const socket = new ws.WebSocket(m.url);
    socket.on('message', (raw: Buffer) => {
      const msg = JSON.parse(raw.toString()) as { stream?: string; data?: { s?: string } };
      if (msg.stream === undefined || msg.data === undefined) return;
      const kind = msg.stream.endsWith('@trade') ? 'trade' : 'quote';
      nc.publish(`${p}md.bare.${msg.data.s ?? 'x'}.${kind}`, JSON.stringify(msg.data));
    });
    socket.once('open', () => process.send?.({ ready: true }));
    process.on('disconnect', () => {
      socket.close();
      void nc.drain().then(() => process.exit(0));
    });
  })();
});
