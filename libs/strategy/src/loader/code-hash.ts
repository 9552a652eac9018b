import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// "Which code made this trade": a sha256 over the strategy module and the files of the user's it
// imports, so the runner can refuse a changed file that kept its version (issue 21 §2). Stable across
// runs and machines: files are named by their path relative to the module's folder (with `/`), sorted,
// and hashed with their bytes; absolute paths, times and the bundle's output (which esbuild may
// change between releases) are not in it.

/** A code hash: 64 lowercase hex characters (sha256). */
export type CodeHash = string;

/**
 * The files of `files` (absolute; the bundle's inputs, entry first) that are the user's: the entry, and
 * every other file not under a `node_modules` folder below the entry's folder. Packages a strategy
 * imports from node_modules are left out (their version is the lockfile's business), and so are the
 * platform modules the loader hands in (`@bourse/strategy`, `zod`, ...), which are never bundle inputs.
 * For an entry that is itself in a package, only files inside that package's folder count.
 */
export function userFiles(entry: string, files: readonly string[]): string[] {
  const root = dirname(entry);
  const inPackage = entry.split(sep).includes('node_modules');
  return files.filter((f) => {
    if (f === entry) return true;
    const rel = relative(root, f);
    if (isAbsolute(rel)) return false; // another drive (Windows): not the user's folder
    if (rel.split(sep).includes('node_modules')) return false;
    return !(inPackage && rel.startsWith('..'));
  });
}

/** sha256 over `files` (absolute) named relative to `root`, sorted by that name; hex. */
export function hashFiles(root: string, files: readonly string[]): CodeHash {
  const named = [...new Set(files)].map((f) => ({ name: relative(root, f).split(sep).join('/'), file: f }));
  named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const h = createHash('sha256');
  for (const { name, file } of named) {
    const bytes = readFileSync(file);
    // Name and length before the bytes, so no two different file sets hash the same stream.
    h.update(`${name}\n${bytes.length}\n`);
    h.update(bytes);
    h.update('\n');
  }
  return h.digest('hex');
}

/**
 * The code hash of a loaded module: its entry and the user's files it imports (userFiles). Paths are
 * resolved through symlinks first, so the names are relative to the folder that really holds the
 * files: a Kubernetes ConfigMap volume links each file through a `..data` link to a folder named by
 * the time of the update, and the same code must hash the same after an update that changed nothing.
 */
export function moduleCodeHash(entry: string, files: readonly string[]): CodeHash {
  const realEntry = realPath(entry);
  return hashFiles(dirname(realEntry), userFiles(realEntry, files.map(realPath)));
}

function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    // Gone since it was bundled: hashFiles' read reports it.
    return file;
  }
}

/**
 * The code hash of a built-in: its own source file in this package (`src/builtin/<name>.ts`), named
 * `builtin/<name>.ts`. The SDK files it imports (indicators, sizing) are not in it: they are the
 * platform's, versioned with it. Where the source file is not on disk (a platform shipped compiled),
 * the hash is of `builtin:<name>@<version>` alone, so it changes only with the built-in's version.
 */
export function builtinCodeHash(name: string, version: string): CodeHash {
  const source = fileURLToPath(new URL(`../builtin/${name}.ts`, import.meta.url));
  if (existsSync(source)) return hashFiles(dirname(dirname(source)), [source]);
  return createHash('sha256').update(`builtin:${name}@${version}`).digest('hex');
}
