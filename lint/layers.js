// @ts-check
// The layer rule as flat-config blocks, spread into eslint.config.js (and used as they are by
// lint/layers.test.ts). One rule, `bourse/layers`, on every source file; the files on the temporary
// allow-list are left out until the moves of issue 18 land.
import { layersRule } from './layers-rule.js';
import { LAYERS_ALLOW_LIST } from './layers-allow-list.js';

export const bourse = { meta: { name: 'bourse' }, rules: { layers: layersRule } };

export const SOURCE_FILES = ['**/*.{ts,mts,cts,js,mjs,cjs}'];

/** @type {import('eslint').Linter.Config[]} */
export const layerConfigs = [
  {
    files: SOURCE_FILES,
    ignores: [...LAYERS_ALLOW_LIST],
    plugins: { bourse },
    rules: { 'bourse/layers': 'error' },
  },
];
