// Tests are written in TypeScript and compiled by `tsc` into build/ with the sources (one compiler,
// no transform inside jest); jest runs the compiled ES modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  transform: {},
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: {},
      testMatch: ['<rootDir>/build/test/unit/**/*.test.js'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: {},
      testMatch: ['<rootDir>/build/test/integration/**/*.test.js'],
    },
  ],
};
