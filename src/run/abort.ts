export interface AbortHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * When the workflow is cancelled the runner sends SIGINT, then SIGTERM 7.5 s later, then kills
 * the process 2.5 s after that. Either signal aborts the run so that an active job run is
 * cancelled at once (the caller does that); the process is not killed by the signal itself.
 */
export function installAbortHandlers(log: { warning(msg: string): void }): AbortHandle {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) log.warning(`Received ${sig}: the workflow is being cancelled`);
    controller.abort(new Error(`received ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
