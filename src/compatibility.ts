import { Input } from './constants.js';
import { checkCompatibility, type Compatibility } from './hail/compat.js';
import { InputError } from './util/errors.js';
import { actionLog as log } from './log.js';

/**
 * Refuses an impossible Hail/EMR pair, naming the input the release came from: `release-label`,
 * or `application-id` when it was read from the application.
 */
export function requireCompatible(
  hailVersion: string,
  releaseLabel: string,
  architecture: 'X86_64' | 'ARM64',
  from: Input = Input.ReleaseLabel,
): Compatibility {
  const compat = checkCompatibility({ hailVersion, releaseLabel, architecture });
  if (compat.verdict === 'impossible') {
    throw new InputError(
      from,
      `hail ${hailVersion} cannot run on ${releaseLabel} (${architecture}): ${compat.reason}`,
    );
  }
  if (compat.verdict !== 'compatible') log.info(compat.reason);
  return compat;
}
