import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { build, type Message, type Plugin } from 'esbuild';
import { PLATFORM_MODULES, platformModuleSource } from './platform-modules.js';

// A user's strategy module, compiled with its own imports into one ES module (esbuild, as tsx does for
// the platform's code, so TypeScript needs no build step) and checked on the way: every import the
// module and the files it imports make goes through `checkImport`, and their sources are scanned for
// globals that reach the network. The platform's modules (PLATFORM_MODULES) are not bundled: the
// bundle reads them from this process (platform-modules.ts).

/** Packages that talk to the network, a database or a process: a strategy returns intents instead. */
const IO_PACKAGES = [
  /^@bourse\//, // the platform's own packages other than PLATFORM_MODULES: bus, venues, store, ...
  /^nats($|\/)/,
  /^@nats-io\//,
  /^pg($|\/|-)/,
  /^postgres($|\/)/,
  /^ioredis($|\/)/,
  /^redis($|\/)/,
  /^@redis\//,
  /^ws($|\/)/,
  /^undici($|\/)/,
  /^axios($|\/)/,
  /^node-fetch($|\/)/,
  /^got($|\/)/,
  /^ccxt($|\/)/,
  /^kafkajs($|\/)/,
  /^mongodb($|\/)/,
  /^mysql2?($|\/)/,
  /^(better-)?sqlite3($|\/)/,
];

const BUILTINS = new Set(builtinModules);

/** Why `specifier` may not be imported by a strategy, or undefined when it may. */
export function forbiddenImport(specifier: string): string | undefined {
  if (Object.hasOwn(PLATFORM_MODULES, specifier)) return undefined;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] ?? '')) {
    return 'a Node built-in module';
  }
  if (IO_PACKAGES.some((re) => re.test(specifier))) return 'a package that does I/O';
  return undefined;
}

/** Globals and calls a strategy's source may not use, with why. Comments are removed before the scan. */
const FORBIDDEN_USES: readonly { readonly re: RegExp; readonly what: string }[] = [
  { re: /\bfetch\s*\(/, what: 'fetch(' },
  { re: /\b(?:WebSocket|XMLHttpRequest|EventSource)\b/, what: 'a network global' },
  { re: /\bprocess\s*\.\s*(?:binding|dlopen|_linkedBinding)\b/, what: 'process native bindings' },
  { re: /\bimport\s*\(\s*(?!['"`])/, what: 'import() of a computed specifier (cannot be checked)' },
  { re: /\brequire\s*\(\s*(?!['"`])/, what: 'require() of a computed specifier (cannot be checked)' },
];

export interface ForbiddenFinding {
  /** The importing (or using) file, absolute. */
  readonly file: string;
  /** The specifier, or the forbidden use (`fetch(`). */
  readonly what: string;
  readonly why: string;
}

export interface Bundle {
  /** One ES module: the strategy and the files it imports, importing the platform modules from globalThis. */
  readonly code: string;
  /** Every file compiled into it (absolute paths), the entry first. */
  readonly files: readonly string[];
  readonly forbidden: readonly ForbiddenFinding[];
}

export class BundleFailedError extends Error {
  constructor(readonly messages: readonly Message[]) {
    super(
      messages
        .map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.text}`)
        .join('; '),
    );
  }
}

/** Compiles `entry` (an absolute path) with what it imports, checking every import. */
export async function bundleStrategy(entry: string): Promise<Bundle> {
  const forbidden: ForbiddenFinding[] = [];
  const checker: Plugin = {
    name: 'bourse-strategy-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        if (Object.hasOwn(PLATFORM_MODULES, args.path)) return { path: args.path, namespace: 'bourse-platform' };
        const why = forbiddenImport(args.path);
        if (why !== undefined) {
          forbidden.push({ file: args.importer, what: args.path, why });
          return { path: args.path, external: true };
        }
        return undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'bourse-platform' }, (args) => ({
        contents: platformModuleSource(args.path),
        loader: 'js',
      }));
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const code = withoutComments(source);
        for (const use of FORBIDDEN_USES) {
          if (use.re.test(code))
            forbidden.push({ file: args.path, what: use.what, why: 'reaches outside the strategy' });
        }
        return undefined; // esbuild reads and compiles the file itself
      });
    },
  };
  let result;
  try {
    result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'inline',
      metafile: true,
      logLevel: 'silent',
      plugins: [checker],
    });
  } catch (err) {
    const errors = (err as { errors?: Message[] }).errors;
    if (Array.isArray(errors)) throw new BundleFailedError(errors);
    throw err;
  }
  const output = result.outputFiles[0];
  if (output === undefined) throw new BundleFailedError([]);
  const files = Object.keys(result.metafile.inputs)
    .filter((f) => !f.startsWith('bourse-platform:'))
    .map((f) => resolvePath(f)); // the metafile's paths are relative to the working directory
  return { code: output.text, files: [entry, ...files.filter((f) => f !== entry)], forbidden };
}

/** Removes block and line comments (roughly: a `//` inside a string is taken as a comment too). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}
