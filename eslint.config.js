import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'tests/fixtures/**',
      'notebooks/**',
      'workflows/**',
      '*.js',
    ],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // The example project's functions/ and tools/ are type-checked by their own tsconfig.
        project: ['./tsconfig.json', './tsconfig.examples.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A dropped promise in a kernel is a silent hang: every promise is awaited, returned or voided.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // `typeof import('x')` is allowed: it types lazily imported modules without loading them.
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
);
