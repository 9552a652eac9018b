// `bourse version`: the CLI's own version (from its package.json) and the Node.js running it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const PackageJson = z.object({ name: z.string(), version: z.string() });

export interface VersionInfo {
  readonly name: string;
  readonly version: string;
  readonly node: string;
}

export function readVersion(): VersionInfo {
  const raw: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const pkg = PackageJson.parse(raw);
  return { name: pkg.name, version: pkg.version, node: process.version };
}

export function formatVersion(info: VersionInfo): string {
  return `bourse ${info.version} (${info.name}), node ${info.node}`;
}
