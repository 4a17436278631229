// hail-artifacts: auto, end to end through dist/: the first run builds (with a stand-in docker
// executable, since no Docker engine runs here) and caches under <prefix>/hail/<key>/; the second
// run is a cache hit that uploads no artifact bytes, proven by what the S3 server received.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, jest } from '@jest/globals';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { awsEnv, makeWorkspace, runAction } from './harness.js';
import { freshBucket, requestsFor, s3Client, seedApplication, startRecorder } from './stack.js';

jest.setTimeout(120_000);

// Records its argv and writes the two files a real `--output type=local,dest=...` export would.
const STAND_IN_DOCKER = `#!/usr/bin/env bash
set -eu
printf '%s\\n' "$*" >> "$STAND_IN_DOCKER_LOG"
if [ "$1" = buildx ] && [ "$2" = version ]; then echo "github.com/docker/buildx v0.20.0"; exit 0; fi
dest=''
for arg in "$@"; do case "$arg" in type=local,dest=*) dest="\${arg#type=local,dest=}" ;; esac; done
echo "#1 [internal] load build definition"
mkdir -p "$dest"
head -c 3000000 /dev/urandom > "$dest/hail-all-spark.jar"
head -c 1000000 /dev/urandom > "$dest/pyspark_hail.tar.gz"
`;

function standInDocker(): { binDir: string; log: string } {
  const binDir = mkdtempSync(join(tmpdir(), 'stand-in-docker-'));
  writeFileSync(join(binDir, 'docker'), STAND_IN_DOCKER);
  chmodSync(join(binDir, 'docker'), 0o755);
  const log = join(binDir, 'calls.log');
  writeFileSync(log, '');
  return { binDir, log };
}

describe('hail-artifacts: auto', () => {
  it('builds with a stand-in docker executable and caches; the second run is a cache hit with 0 artifact bytes', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication({ releaseLabel: 'emr-7.5.0' });
    const docker = standInDocker();
    const ws = makeWorkspace({ 'job.py': 'print("hail job")\n' });
    const inputs = {
      script: 'job.py',
      's3-prefix': `s3://${bucket}/ci`,
      'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-job',
      'application-id': app,
      'hail-version': '0.2.134',
    };
    const env = {
      ...awsEnv(),
      PATH: `${docker.binDir}:${process.env.PATH}`,
      STAND_IN_DOCKER_LOG: docker.log,
    };

    const first = await runAction({ workspace: ws, inputs, env });
    expect(first.code).toBe(0);
    expect(first.outputs['hail-artifacts-source']).toBe('built');
    const jarUri = first.outputs['hail-jar-uri']!;
    expect(jarUri).toMatch(new RegExp(`^s3://${bucket}/ci/hail/[0-9a-f]{64}/hail-all-spark\\.jar$`));
    const calls = readFileSync(docker.log, 'utf8');
    expect(calls).toMatch(/buildx build .*--platform linux\/amd64/);
    expect(calls).toMatch(/Dockerfile\.pypi/);
    expect(first.summary).toContain('artifacts: built');

    // The manifest sits beside the files and describes them.
    const dir = jarUri.slice(`s3://${bucket}/`.length, jarUri.lastIndexOf('/'));
    const manifest = JSON.parse(
      await (
        await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: `${dir}/manifest.json` }))
      ).Body!.transformToString(),
    );
    expect(manifest.files.jar.size).toBe(3_000_000);
    expect(manifest.hail).toBe('0.2.134');

    // Second run through a recording proxy: a cache hit, and nothing but metadata requests for artifacts.
    writeFileSync(docker.log, '');
    const recorder = await startRecorder();
    try {
      const second = await runAction({
        workspace: ws,
        inputs,
        env: { ...env, AWS_ENDPOINT_URL_S3: recorder.url },
      });
      expect(second.code).toBe(0);
      expect(second.outputs['hail-artifacts-source']).toBe('cache-hit');
      expect(second.outputs['hail-jar-uri']).toBe(jarUri);
      expect(readFileSync(docker.log, 'utf8')).toBe(''); // docker was not even asked
      // The only write is the run's history record, never an artifact.
      const writes = recorder.requests.filter((q) => q.method !== 'GET' && q.method !== 'HEAD');
      expect(writes.map((q) => q.path)).toEqual([expect.stringMatching(/\/ci\/history\/[^/]+\/\d{13}~v1~/)]);
      const artifactBytes = recorder.requests.filter((q) => !q.path.includes('/history/'));
      expect(artifactBytes.reduce((n, q) => n + q.bytes, 0)).toBe(0);
      expect(second.summary).toMatch(/cache hit/i);
    } finally {
      await recorder.close();
    }

    // A cache entry missing a file is a miss, not a crash: the next run rebuilds it.
    await s3Client().send(new DeleteObjectCommand({ Bucket: bucket, Key: `${dir}/pyspark_hail.tar.gz` }));
    const third = await runAction({ workspace: ws, inputs, env });
    expect(third.code).toBe(0);
    expect(third.outputs['hail-artifacts-source']).toBe('built');
    expect(third.stdout).toMatch(/cache miss/);
  });

  it('fails clearly when there is no cache entry and no docker, before submitting anything', async () => {
    const bucket = await freshBucket();
    const app = await seedApplication({ releaseLabel: 'emr-7.5.0' });
    const ws = makeWorkspace({ 'job.py': 'print(1)\n' });
    const r = await runAction({
      workspace: ws,
      inputs: {
        script: 'job.py',
        's3-prefix': `s3://${bucket}/ci`,
        'execution-role-arn': 'arn:aws:iam::123456789012:role/hail-job',
        'application-id': app,
        'hail-version': '0.2.134',
      },
      env: { ...awsEnv(), PATH: '/nonexistent:/usr/bin:/bin' },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Docker is needed to build Hail artifacts/);
    expect((await requestsFor(app)).map((q) => q.operation)).not.toContain('StartJobRun');
  });
});
