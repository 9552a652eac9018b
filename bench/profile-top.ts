// Reads a .cpuprofile (node --cpu-prof) and prints the frames with the most self time, and the files
// with the most self time: `tsx bench/profile-top.ts <file.cpuprofile> [count]`.
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
const [file, countArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: tsx bench/profile-top.ts <file.cpuprofile> [count]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] };
const hits = new Map<number, number>();
for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
const total = profile.samples.length;
const byFrame = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of profile.nodes) {
  const h = hits.get(n.id) ?? 0;
  if (h === 0) continue;
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/(libs|services|bench|node_modules)\//, '$1/');
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`;
  byFrame.set(key, (byFrame.get(key) ?? 0) + h);
  const f = url === '' ? `(${n.callFrame.functionName})` : url.replace(/node_modules\/\.pnpm\/([^/]+)\/.*/, '$1');
  byFile.set(f, (byFile.get(f) ?? 0) + h);
}
const top = (m: Map<string, number>, k: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, h]) => `${((100 * h) / total).toFixed(1).padStart(5)} %  ${name}`);
const count = Number(countArg ?? '30');
console.log(`self time, top ${count} frames (${total} samples):`);
console.log(top(byFrame, count).join('\n'));
console.log(`\nself time by file, top 20:`);
console.log(top(byFile, 20).join('\n'));
