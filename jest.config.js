// Nest 12 ships ES modules only, so jest runs in its native ESM mode (see package.json "test").
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // @fastify/static (Swagger UI) requires content-disposition, which is ES modules only: Node 20 runs that
  // require(esm) itself, jest's own module loader cannot, so jest gets a CommonJS copy of it.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  transform: {
    '/node_modules/content-disposition/.+\\.js$': ['@swc/jest', { module: { type: 'commonjs' } }],
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
      },
    ],
  },
  testTimeout: 60000,
  // Keep-alive sockets of Node's fetch outlive a test file by a few seconds; they hold nothing of ours.
  forceExit: true,
};
