import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import { inertText, stopCommandsBlock } from './util/workflow-commands.js';

/**
 * The workflow log, as the small logger interface the modules take (so tests need no mocks). Every
 * plain line goes through `info`, which makes workflow commands in it inert; `warning` and groups
 * are commands themselves, whose text `@actions/core` escapes. Nothing else in src/ prints.
 */
export const actionLog = {
  info: (message: string): void => core.info(inertText(message)),
  warning: (message: string): void => core.warning(message),
  startGroup: (name: string): void => core.startGroup(name),
  endGroup: (): void => core.endGroup(),
  /** Lines from the job's logs, verbatim, with workflow commands switched off around them. */
  verbatim: (lines: readonly string[]): void => {
    for (const line of stopCommandsBlock(lines, randomUUID())) core.info(line);
  },
};
