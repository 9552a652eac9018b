// @ts-check
// The layer rule as flat-config blocks, spread into eslint.config.js (and used as they are by
// lint/layers.test.ts). One rule, `bourse/layers`, on every source file, with no exceptions by file.
import { layersRule } from './layers-rule.js';

export const bourse = { meta: { name: 'bourse' }, rules: { layers: layersRule } };

export const SOURCE_FILES = ['**/*.{ts,mts,cts,js,mjs,cjs}'];

/** @type {import('eslint').Linter.Config[]} */
export const layerConfigs = [
  {
    files: SOURCE_FILES,
    plugins: { bourse },
    rules: { 'bourse/layers': 'error' },
  },
];
