// `pnpm bench`: runs every bench/*.bench.ts in turn (or the ones named on the command line).
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

if (files.length === 0) {
  console.error(`bench: no benchmark matches ${only.join(', ') || '*.bench.ts'} in ${here}`);
  process.exit(1);
}
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<void> | void };
  if (typeof mod.run !== 'function') {
    console.error(`bench: ${file} does not export run()`);
    process.exit(1);
  }
  await mod.run();
}
