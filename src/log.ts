import * as core from '@actions/core';

/** The workflow log, as the small logger interface the modules take (so tests need no mocks). */
export const actionLog = {
  info: core.info,
  warning: core.warning,
  startGroup: core.startGroup,
  endGroup: core.endGroup,
};
