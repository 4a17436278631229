// jest globalSetup for the e2e project: start the local AWS stack (moto + the EMR Serverless fixture,
// and by default the IAM proxy in front of moto's S3; LOCAL_IAM=0 turns it off) once per run and hand its endpoints to the test workers through process.env (workers are started
// after this returns and inherit the environment).
import { startLocalStack } from '../fixtures/local-stack.mjs';
import { ensureLocalPython } from '../../scripts/local-python.mjs';

export default async function globalSetup() {
  const emr = {};
  if (process.env.LOCAL_EMR_STEP_MS) emr.stepMs = Number(process.env.LOCAL_EMR_STEP_MS);
  if (process.env.LOCAL_EMR_LOG_FLUSH_MS) emr.logFlushMs = Number(process.env.LOCAL_EMR_LOG_FLUSH_MS);
  const verbose = process.env.LOCAL_STACK_VERBOSE === '1';
  // IAM on by default: the existing suites' credentials are administrators, the IAM suites register
  // principals with the documented policies. LOCAL_IAM_STRICT=1 makes the strict ListBucket reading
  // the default for principals that do not choose one.
  const iam =
    process.env.LOCAL_IAM === '0' ? false : { strictListBucketCheck: process.env.LOCAL_IAM_STRICT === '1' };
  // npm test has set the Python up already (scripts/test-all.sh); a direct jest run does it here.
  const python = process.env.LOCAL_STACK_PYTHON || ensureLocalPython();
  const stack = await startLocalStack({ python, emr, verbose, iam });
  globalThis.__LOCAL_STACK__ = stack;
  process.env.LOCAL_S3_ENDPOINT = stack.s3Endpoint;
  process.env.LOCAL_EMR_ENDPOINT = stack.emrEndpoint;
  process.env.LOCAL_MOTO_ENDPOINT = stack.motoEndpoint;
  if (stack.iamEndpoint) process.env.LOCAL_IAM_ENDPOINT = stack.iamEndpoint;
  // Tells the IAM suites whether the EMR fixture authorizes its calls (detected, not assumed).
  process.env.LOCAL_EMR_IAM = stack.emrIam ? '1' : '0';
  if (verbose)
    console.log(`\nlocal stack: ${JSON.stringify({ s3: stack.s3Endpoint, emr: stack.emrEndpoint })}`);
}
