/** Every failure the action reports starts with this, so users can grep a log for it. */
export const FAILURE_PREFIX = 'hail-emr-serverless failed:';

/** A problem with the user's inputs: reported before any AWS call. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(`input \`${input}\`: ${problem}`);
    this.name = 'InputError';
  }
}

/** The message of anything thrown, including non-Error values. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
