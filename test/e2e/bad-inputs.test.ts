// Every bad input is refused by dist/index.js with exit code 1 and a message naming the input,
// before any request reaches S3 or EMR Serverless (both sit behind recording proxies here).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { BAD_INPUTS, GOOD_FILES, GOOD_INPUTS } from '../fixtures/bad-inputs.mjs';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { expectRefusedBeforeAnyRequest, startRecorder } from './stack.js';

jest.setTimeout(60_000);

let s3: Awaited<ReturnType<typeof startRecorder>>;
let emr: Awaited<ReturnType<typeof startRecorder>>;
let workspace: string;

beforeAll(async () => {
  s3 = await startRecorder(process.env.LOCAL_S3_ENDPOINT);
  emr = await startRecorder(process.env.LOCAL_EMR_ENDPOINT);
  workspace = makeWorkspace(GOOD_FILES);
});
afterAll(async () => {
  await s3.close();
  await emr.close();
});

describe('bad inputs are refused before any AWS request', () => {
  it(`has at least 40 cases (${BAD_INPUTS.length})`, () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(BAD_INPUTS)('%s: %j', async (input, overrides, problem) => {
    await expectRefusedBeforeAnyRequest(
      { workspace, inputs: { ...GOOD_INPUTS, ...overrides }, s3, emr },
      input,
      problem,
    );
  });

  it('a good set of the same inputs does reach the servers (the proxies would have seen requests)', async () => {
    const r = await runAction({
      workspace,
      inputs: { ...GOOD_INPUTS, 'dry-run': 'false' },
      env: awsEnv({ s3: s3.url, emr: emr.url }),
    });
    // The application does not exist on the fixture: the first request is GetApplication, and it 404s.
    expect(r.code).toBe(1);
    expect(emr.requests.some((q) => q.path.includes('/applications/00fbadinput0001'))).toBe(true);
  });
});
