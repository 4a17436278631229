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
    // Job, S3 and input text reaches the log only through src/log.ts, which makes workflow
    // commands in it inert: a raw core.info elsewhere would let that text drive the runner.
    files: ['src/**/*.ts'],
    ignores: ['src/log.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='core'][property.name=/^(info|startGroup|group)$/]",
          message: 'Print through actionLog (src/log.ts): it makes workflow commands in the text inert.',
        },
        {
          selector: "MemberExpression[object.name='process'][property.name=/^(stdout|stderr)$/]",
          message: 'Print through actionLog (src/log.ts): it makes workflow commands in the text inert.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.{js,ts}'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
  },
  prettier,
);
