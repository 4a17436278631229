// The runner emulation lives in test/fixtures/action-runner.mjs (shared with the reliability and
// benchmark scripts); tests import it from here.
export * from '../fixtures/action-runner.mjs';
