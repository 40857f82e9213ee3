// Tests are written in TypeScript and compiled by `tsc` into build/ with the sources (one compiler,
// no transform inside jest); jest runs the compiled ES modules.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  // Tests call real parsers and daemons (apparmor_parser, virsh, libvirtd): seconds each on a busy
  // 2-core machine, so jest's 5 s default fails for load, not for a fault.
  testTimeout: 30_000,
  transform: {},
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testTimeout: 30_000,
      transform: {},
      testMatch: ['<rootDir>/build/test/unit/**/*.test.js'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      testTimeout: 30_000,
      transform: {},
      testMatch: ['<rootDir>/build/test/integration/**/*.test.js'],
    },
  ],
};
