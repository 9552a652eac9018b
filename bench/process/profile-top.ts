// `tsx bench/process/profile-top.ts <file.cpuprofile> [n]`: the top self-time frames of a V8 CPU
// profile (node --cpu-prof), with their share of the sampled time, for the README's "where the time goes".
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, n = '25'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: profile-top <file.cpuprofile> [n]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const hits = new Map<number, number>();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const byFrame = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const h = hits.get(node.id) ?? 0;
  if (h === 0) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '~/');
  const short = where.replace(/^.*\/(libs|services)\//, '$1/');
  byFrame.set(
    `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`,
    (byFrame.get(`${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`) ?? 0) + h,
  );
  const pkg =
    /^~\/(@[^/]+\/[^/]+|[^/]+)/.exec(where)?.[1] ??
    /^(libs\/[^/]+|services\/[^/]+)/.exec(short)?.[1] ??
    (functionName.startsWith('(') ? functionName : where === '' ? '(native)' : 'node:internal');
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + h);
}
const total = profile.samples.length;
const top = (m: Map<string, number>, k: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, h]) => `${((100 * h) / total).toFixed(1).padStart(5)} %  ${name}`);
console.log(
  `${total} samples\n\nby package:\n${top(byPackage, 15).join('\n')}\n\nby frame (self time):\n${top(byFrame, Number(n)).join('\n')}`,
);
