// ESLint flat config: typescript-eslint's recommended rules everywhere, and for workflow code the import bans that
// keep it deterministic (Temporal replays workflow code; it must not reach the clock's calendar data, files, the
// network or the database — that is what activities are for).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...new Set(builtinModules.filter((m) => !m.startsWith('_')))];

/** Libraries that do I/O or read calendar data: only activities, the API and the worker may use them. */
const ioLibraries = [
  'postgres',
  'drizzle-orm',
  '@electric-sql/pglite',
  'fastify',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  'chinese-days',
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'data/', '.temporal/', '.tmp/', 'db/migrations/', 'coverage/', 'web/dist/', 'web/src/api/schema.d.ts'],
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Workflow code: deterministic, sandboxed. The test-only workflows follow the same rules.
    files: ['workflows/**/*.ts', 'test/support/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Node built-ins are not available in workflow code; do this in an activity.',
            })),
            ...ioLibraries.map((name) => ({
              name,
              message: 'Workflow code must not do I/O; call an activity through proxyActivities instead.',
            })),
          ],
          patterns: [
            {
              group: ['node:*'],
              message: 'Node built-ins are not available in workflow code; do this in an activity.',
            },
            {
              group: ioLibraries.map((name) => `${name}/**`),
              message: 'Workflow code must not do I/O; call an activity through proxyActivities instead.',
            },
            {
              // Activities run on the Node side: import their types only and call them through proxyActivities.
              regex: '(^|/)activities([./].*)?$',
              allowTypeImports: true,
              message: 'Import activities with `import type` and call them through proxyActivities.',
            },
            {
              regex: '(^|/)domain/calendar([./].*)?$',
              message:
                'domain/calendar reads the holiday calendar (chinese-days): compute deadlines in an activity and pass the instants in.',
            },
          ],
        },
      ],
    },
  },
);
