// jest globalTeardown for the e2e project: stop the stack started by global-setup.js.
export default async function globalTeardown() {
  const stack = globalThis.__LOCAL_STACK__;
  globalThis.__LOCAL_STACK__ = undefined;
  if (stack) await stack.stop();
}
