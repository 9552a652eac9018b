import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layerConfigs } from './lint/layers.js';

export default tseslint.config(
  // k8s/overlays/user-strategies/strategies holds a copy of examples/strategies (linted there; test/k8s-render.test.ts keeps them equal).
  { ignores: ['**/node_modules/**', '**/dist/**', '.bourse/**', 'out/**', 'coverage/**', 'k8s/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Trading code is async everywhere; a dropped promise is a lost order or an unhandled rejection.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The package map's layers (lint/package-map.js; README.md, "Package map").
  ...layerConfigs,
);
