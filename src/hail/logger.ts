/** What the Hail modules log through: `@actions/core` fits it, and so does a plain array in tests. */
export interface HailLogger {
  info(message: string): void;
  warning?(message: string): void;
  startGroup?(name: string): void;
  endGroup?(): void;
}

/** Runs `fn` inside a log group (when the logger has groups), closing it whatever happens. */
export async function inGroup<T>(logger: HailLogger, name: string, fn: () => Promise<T>): Promise<T> {
  if (!logger.startGroup) logger.info(`== ${name}`);
  logger.startGroup?.(name);
  try {
    return await fn();
  } finally {
    logger.endGroup?.();
  }
}
