/**
 * The library's version, recorded in every result a population run stores so that results of two versions are
 * never merged. `test/core/version.test.ts` keeps it equal to package.json's `version`.
 */
export const LIBRARY_VERSION = '0.1.0';
