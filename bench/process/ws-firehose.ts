// A market-data source for figure 2, run as its own process: a WebSocket server speaking Binance's
// combined-stream format (`/stream?streams=btcusdt@bookTicker/btcusdt@trade`, `{stream, data}`
// frames, SUBSCRIBE answered), which, when the parent says `go`, sends bookTicker and trade frames
// of the subscribed symbols as fast as the reader takes them: it writes while the socket's unsent
// buffer is under HIGH_WATER bytes and otherwise waits, so the reader's pace sets the rate and what
// sits unread stays bounded. Update and trade ids increase, prices move, so no frame is a duplicate.
// The simulator itself cannot produce this rate (one market step every ≥ 10 ms, a JS matching
// engine behind it): this is the simulator's frame format at the consumer's speed.
//
// Parent messages (IPC): { go: { seconds, maxFrames } } → { done: { frames, ms, lastBid } }.
import { createServer } from 'node:http';
import type { WebSocket } from 'ws';
import { ws } from './deps.js';

const HIGH_WATER = 512 * 1024;
const server = createServer();
const wss = new ws.WebSocketServer({ server });
let socket: WebSocket | undefined;
let streams: string[] = [];
/** Ids keep increasing from one `go` to the next: the gateway drops an id it has seen as a duplicate. */
let n = 0;

wss.on('connection', (s, req) => {
  socket = s;
  const url = new URL(req.url ?? '/', 'http://x');
  streams = (url.searchParams.get('streams') ?? '').split('/').filter((x) => x !== '');
  s.on('message', (raw: Buffer) => {
    const msg = JSON.parse(raw.toString()) as { id: number; method: string; params?: string[] };
    if (msg.method === 'SUBSCRIBE') streams.push(...(msg.params ?? []));
    s.send(JSON.stringify({ result: null, id: msg.id }));
  });
});

function frame(stream: string, n: number, now: number): { text: string; bid: string } {
  const symbol = stream.slice(0, stream.indexOf('@')).toUpperCase();
  const bid = (60_000 + (n % 5_000) / 100).toFixed(2);
  if (stream.endsWith('@bookTicker')) {
    const ask = (60_000.01 + (n % 5_000) / 100).toFixed(2);
    return {
      text: `{"stream":"${stream}","data":{"u":${n},"s":"${symbol}","b":"${bid}","B":"1.25000000","a":"${ask}","A":"0.75000000"}}`,
      bid,
    };
  }
  return {
    text: `{"stream":"${stream}","data":{"e":"trade","E":${now},"s":"${symbol}","t":${n},"p":"${bid}","q":"0.01000000","T":${now},"m":${n % 2 === 0},"M":true}}`,
    bid,
  };
}

async function go(seconds: number, maxFrames: number): Promise<{ frames: number; ms: number; lastBid: string }> {
  const s = socket;
  if (s === undefined) throw new Error('firehose: nobody connected');
  const quoteStreams = streams.filter((x) => x.endsWith('@bookTicker') || x.endsWith('@trade'));
  const first = n;
  let lastBid = '';
  const t0 = performance.now();
  const end = t0 + seconds * 1_000;
  for (;;) {
    const now = Date.now();
    while (s.bufferedAmount < HIGH_WATER && n - first < maxFrames) {
      n += 1;
      const stream = quoteStreams[n % quoteStreams.length]!;
      const f = frame(stream, n, now);
      if (stream.endsWith('@bookTicker')) lastBid = f.bid;
      s.send(f.text);
    }
    if (n - first >= maxFrames || performance.now() >= end) break;
    // Wait for the reader to take some: poll the buffer at the next turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Until everything sent is out of this process (the reader may still be behind in its own buffers).
  while (s.bufferedAmount > 0) await new Promise((resolve) => setTimeout(resolve, 1));
  return { frames: n - first, ms: performance.now() - t0, lastBid };
}

process.on('message', (m: { go?: { seconds: number; maxFrames: number } }) => {
  if (m.go === undefined) return;
  void go(m.go.seconds, m.go.maxFrames).then(
    (done) => process.send?.({ done }),
    (err: unknown) => process.send?.({ error: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.send?.({ port: address.port });
});
