import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../aws/s3-uri.js';
import { PROVENANCE_FILE, buildProvenance, type ProvenanceInputs } from './provenance.js';

/**
 * Writes `<output-uri>/_hail_run.json` (after the job ended, so it never races the job's own
 * writes) and the same JSON to a local file a later step can read.
 */
export async function writeProvenance(
  s3: S3Client,
  outputUri: string,
  inputs: ProvenanceInputs,
  localDir: string,
): Promise<{ uri: string; path: string }> {
  const body = JSON.stringify(buildProvenance(inputs), null, 2) + '\n';
  const uri = `${outputUri}/${PROVENANCE_FILE}`;
  const loc = parseS3Uri(uri);
  await s3.send(
    new PutObjectCommand({ Bucket: loc.bucket, Key: loc.key, Body: body, ContentType: 'application/json' }),
  );
  const path = join(localDir, `hail-run-${inputs.report.jobRunId ?? 'local'}.json`);
  writeFileSync(path, body);
  return { uri, path };
}
