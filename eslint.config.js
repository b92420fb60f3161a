import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The browser globals the web console uses (named here rather than a dependency for them). */
const browser = [
  'window',
  'document',
  'location',
  'sessionStorage',
  'localStorage',
  'fetch',
  'setTimeout',
  'clearTimeout',
  'getComputedStyle',
  'URLSearchParams',
  'confirm',
  'Event',
  'XMLHttpRequest',
  'Node',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdk.out/',
      '.cutline/',
      '.media/',
      'bench/results/',
      'test-results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['console/**/*.js'],
    languageOptions: { globals: Object.fromEntries(browser.map((g) => [g, 'readonly'])) },
  },
);
