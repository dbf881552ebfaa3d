import { createRequire } from 'node:module';

/**
 * The parts of @oclif/core that commands use, taken with require(). An ESM `import` of a CommonJS module makes
 * Node scan its source for export names (cjs-module-lexer, JavaScript in Node 20); after a few such scans V8
 * optimises the scanner with TurboFan, a background compile that every start then waits for at exit (~40 ms,
 * docs/performance.md). require() loads the same modules without the scan. Import these from here, never
 * a value from '@oclif/core' (test/architecture.test.ts).
 */
const require = createRequire(import.meta.url);

export const { Command } = require('@oclif/core/command') as typeof import('@oclif/core/command');
export const Flags = require('@oclif/core/flags') as typeof import('@oclif/core/flags');
export const Args = require('@oclif/core/args') as typeof import('@oclif/core/args');
export const { loadHelpClass } = require('@oclif/core/help') as typeof import('@oclif/core/help');
