// @ts-check
// `bourse/layers`: the import rules of the package map (lint/package-map.js, README.md "Package
// map"). Each import, export-from, dynamic import, `import('…')` type and require() is resolved to
// the package it reaches (by `@bourse/<name>` or by where a relative path lands) and checked:
//   a) a library imports no service          b) a service imports no other service
//      (test code may start @bourse/exchange-sim, the venue every test trades against)
//   c) a core imports no I/O module and no shell (adapter library, service, or its service's shell)
//   d) a strategy imports neither the bus nor a venue
//   e) imports go through a package's public entry: no `@bourse/x/src/…`, no relative path that
//      leaves its own package (root test/ and bench/ included)
//   f) the foundation (contracts, domain, the venue port) imports nothing above it
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchesAny } from './glob.js';
import {
  ADAPTER_LIBS,
  ENGINE_IO_EDGES,
  FOUNDATION,
  IO_MODULES,
  PUBLIC_SUBPATHS,
  SERVER_TESTS,
  SERVICE_CORES,
  SERVICE_DIRS,
  STRATEGY_LIBS,
  STRATEGY_MAY_NOT_IMPORT,
  TEST_CODE,
  TEST_FILE_MODULES,
  TEST_VENUE,
} from './package-map.js';

/** The repository root: this file's folder's parent. Paths in the map are relative to it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} path an absolute path; '' when it lies outside the repository */
function repoPath(path) {
  const rel = relative(REPO_ROOT, path);
  if (rel.startsWith('..') || isAbsolute(rel)) return '';
  return rel.split(sep).join('/');
}

/**
 * The package folder a repository-relative path belongs to: `libs/<x>`, `libs/venues/<adapter>`,
 * `services/<x>`, or '' for the root package (test/, bench/, lint/, root files).
 * @param {string} path
 */
export function packageDirOf(path) {
  const parts = path.split('/');
  const [top, name, sub] = parts;
  if (top === 'libs' && name && parts.length >= 3) {
    if (name === 'venues' && sub && !['src', 'node_modules', 'test'].includes(sub) && !sub.includes('.')) {
      return `libs/venues/${sub}`;
    }
    return `libs/${name}`;
  }
  if (top === 'services' && name && parts.length >= 3) return `services/${name}`;
  return '';
}

/** @type {Map<string, string> | undefined} */
let workspace;

/** `@bourse/<name>` → package folder, read from the workspace's package.json files once. */
function workspacePackages() {
  if (workspace) return workspace;
  workspace = new Map();
  for (const base of ['libs', 'libs/venues', 'services']) {
    const dir = join(REPO_ROOT, base);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const manifest = join(dir, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      const { name } = /** @type {{ name?: string }} */ (JSON.parse(readFileSync(manifest, 'utf8')));
      if (name) workspace.set(name, `${base}/${entry.name}`);
    }
  }
  return workspace;
}

/**
 * The folder of a workspace package by name. A name not (yet) in the workspace maps by convention:
 * `@bourse/venue-<x>` → libs/venues/<x>, any other → libs/<name>.
 * @param {string} name e.g. `@bourse/execution`
 */
export function packageDirOfName(name) {
  const known = workspacePackages().get(name);
  if (known) return known;
  const bare = name.slice('@bourse/'.length);
  return bare.startsWith('venue-') ? `libs/venues/${bare.slice('venue-'.length)}` : `libs/${bare}`;
}

/** @param {string} dir */
const isService = (dir) => matchesAny(dir, [SERVICE_DIRS]);
/** @param {string} dir */
const isLibrary = (dir) => dir.startsWith('libs/');
/** @param {string} dir */
const isAdapter = (dir) => matchesAny(dir, ADAPTER_LIBS);

/**
 * What the rule needs to know about the importing file.
 * @param {string} path repository-relative
 */
export function describeFile(path) {
  const pkg = packageDirOf(path);
  const serviceCore = matchesAny(path, SERVICE_CORES);
  const engine = isLibrary(pkg) && !isAdapter(pkg) && !matchesAny(path, ENGINE_IO_EDGES);
  return {
    path,
    pkg,
    test: matchesAny(path, TEST_CODE),
    serverTest: matchesAny(path, SERVER_TESTS),
    core: engine || serviceCore,
    /** For a core folder inside a service: the folder its relative imports must stay in. */
    serviceCoreDir: serviceCore ? path.slice(0, path.indexOf('/src/core/') + '/src/core'.length) : '',
  };
}

/** @param {string} spec a bare specifier → the module it names, without `node:` and subpaths */
function moduleId(spec) {
  const bare = spec.startsWith('node:') ? spec.slice('node:'.length) : spec;
  const parts = bare.split('/');
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? bare);
}

/** @param {string} dir */
const label = (dir) => dir || 'the root package';

/** @type {import('eslint').Rule.RuleModule} */
export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the package map: layers, services as shells, public entries only.' },
    schema: [],
    messages: {
      libraryImportsService:
        'a) A library must not import a service ({{target}}). Move what both need into a library; only test code may start @bourse/exchange-sim.',
      serviceImportsService:
        'b) A service must not import another service ({{target}}). Move what both need into a library; only test code may start @bourse/exchange-sim.',
      coreImportsIo:
        "c) A core must not import I/O ('{{target}}'). Take a port (an interface) and let the shell pass the adapter in; a test that needs servers is named *.{sim,e2e,process,system,browser,chaos}.test.ts.",
      coreImportsShell:
        'c) A core must not import a shell ({{target}}). Cores import contracts, domain, the venue port and other engines; shells wire adapters in.',
      coreLeavesCoreFolder:
        "c) A service's core imports only its own folder and packages: '{{target}}' is the service's shell side (config, store, shell, shared files). Move what the core needs into the core or a library.",
      strategyImportsBusOrVenue:
        'd) A strategy must not import the bus or a venue ({{target}}): it sees market state and returns intents.',
      foundationImportsAbove: 'f) {{from}} is at the bottom of the package map and may not import {{target}}.',
      pastPublicEntry:
        "e) '{{target}}' reaches past the package's public entry: import '@bourse/<name>' (or '@bourse/<name>/testing').",
      leavesPackage:
        "e) '{{target}}' leaves {{from}} for {{to}}: import the other package by its name ('@bourse/<name>').",
    },
  },
  create(context) {
    const from = describeFile(repoPath(context.filename));
    const exemptFromCoreRule = !from.core || from.serverTest;

    /**
     * @param {import('eslint').Rule.Node} node the specifier's literal, for the report's position
     * @param {string} spec
     */
    function check(node, spec) {
      /** @param {string} messageId @param {Record<string, string>} [data] */
      const report = (messageId, data = {}) =>
        context.report({ node, messageId, data: { target: spec, from: label(from.pkg), ...data } });

      const relativeSpec = spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..';
      /** @type {string} */
      let targetDir;
      if (relativeSpec) {
        const target = repoPath(resolve(dirname(context.filename), spec));
        targetDir = packageDirOf(target);
        if (targetDir === from.pkg) {
          if (from.serviceCoreDir && !exemptFromCoreRule && !`${target}/`.startsWith(`${from.serviceCoreDir}/`)) {
            report('coreLeavesCoreFolder');
          }
          return;
        }
        report('leavesPackage', { to: label(targetDir) });
      } else if (spec.startsWith('@bourse/')) {
        const [scope, name, ...sub] = spec.split('/');
        targetDir = packageDirOfName(`${scope}/${name}`);
        if (sub.length > 0 && !PUBLIC_SUBPATHS.includes(sub.join('/'))) report('pastPublicEntry');
        if (targetDir === from.pkg) return;
      } else {
        const id = moduleId(spec);
        if (exemptFromCoreRule || !matchesAny(id, IO_MODULES)) return;
        if (from.test && matchesAny(id, TEST_FILE_MODULES)) return;
        report('coreImportsIo');
        return;
      }

      // Across packages: which layer may reach which.
      if (isService(targetDir)) {
        const testStartsTheVenue = from.test && targetDir === packageDirOfName(TEST_VENUE);
        if (!testStartsTheVenue) {
          if (isLibrary(from.pkg)) report('libraryImportsService');
          else if (isService(from.pkg)) report('serviceImportsService');
        }
      } else if (!exemptFromCoreRule && isAdapter(targetDir)) {
        report('coreImportsShell');
      }
      if (STRATEGY_LIBS.includes(from.pkg) && !from.test && matchesAny(targetDir, STRATEGY_MAY_NOT_IMPORT)) {
        report('strategyImportsBusOrVenue');
      }
      const below = /** @type {Record<string, string[]>} */ (FOUNDATION)[from.pkg];
      if (below && targetDir !== '' && !below.includes(targetDir)) report('foundationImportsAbove');
    }

    /** @param {unknown} source */
    function checkSource(source) {
      const literal = /** @type {import('eslint').Rule.Node | null | undefined} */ (source);
      if (literal && literal.type === 'Literal' && typeof literal.value === 'string') check(literal, literal.value);
      else if (literal && literal.type === 'TemplateLiteral' && literal.expressions.length === 0) {
        const text = literal.quasis[0]?.value.cooked;
        if (typeof text === 'string') check(literal, text);
      }
    }

    return {
      ImportDeclaration: (node) => checkSource(node.source),
      ExportNamedDeclaration: (node) => checkSource(node.source),
      ExportAllDeclaration: (node) => checkSource(node.source),
      ImportExpression: (node) => checkSource(node.source),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') checkSource(node.arguments[0]);
      },
      /** `typeof import('…')` in a type: typescript-eslint's TSImportType, argument a literal type. */
      ['TSImportType'](/** @type {any} */ node) {
        checkSource(node.argument?.literal ?? node.argument);
      },
    };
  },
};
