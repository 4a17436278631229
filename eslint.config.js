// ESLint flat config: JavaScript and TypeScript recommended rules, Prettier owns formatting.
// Not type-aware on purpose: `npm run typecheck` runs tsc, and lint stays a few seconds.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** `_`-prefixed names are deliberately unused (interface-shaped parameters, ignored tuple slots). */
const unusedVars = [
  'error',
  {
    args: 'after-used',
    argsIgnorePattern: '^_',
    varsIgnorePattern: '^_',
    caughtErrorsIgnorePattern: '^_',
    destructuredArrayIgnorePattern: '^_',
  },
];

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/data/', '.local-stack/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs,ts}'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    rules: {
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': unusedVars,
    },
  },
  {
    files: ['test/**/*.{js,ts}'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },
  prettier,
);
