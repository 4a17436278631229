import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildHailArtifacts, DOCKER_MISSING, dockerBuildArgs } from '../../../src/hail/build.js';
import { checkCompatibility } from '../../../src/hail/compat.js';
import type { HailLogger } from '../../../src/hail/logger.js';

const RECIPE_DIR = new URL('../../../hail-build/', import.meta.url).pathname;

// A stand-in for the docker CLI (there is no Docker engine here). It records each invocation's
// argv (one argument per line, then "--") and DOCKER_BUILDKIT, copies the build context's
// requirements.txt aside, and writes the two files a real `--output type=local` export would.
// STANDIN_BUILDX_RC: exit code of `buildx version`; STANDIN_MODE: ok | fail | empty.
const STANDIN = `#!/usr/bin/env bash
set -eu
{ printf '%s\\n' "$@"; echo "DOCKER_BUILDKIT=\${DOCKER_BUILDKIT:-}"; echo --; } >> "$STANDIN_RECORD"
if [ "$1" = buildx ] && [ "$2" = version ]; then exit "\${STANDIN_BUILDX_RC:-0}"; fi
dest=''
for arg in "$@"; do case "$arg" in type=local,dest=*) dest="\${arg#type=local,dest=}" ;; esac; done
context="\${@: -1}"
cp "$context/requirements.txt" "$STANDIN_RECORD.requirements"
echo "#1 [internal] load build definition from Dockerfile"
echo "#2 stand-in progress on stderr" >&2
case "\${STANDIN_MODE:-ok}" in
  fail) echo "ERROR: failed to solve: process \\"/bin/bash -euo pipefail -c pack-env.sh\\" did not complete successfully: exit code: 1" >&2; exit 1 ;;
  empty) exit 0 ;;
esac
mkdir -p "$dest"
printf 'PK-stand-in-jar' > "$dest/hail-all-spark.jar"
printf 'stand-in-archive' > "$dest/pyspark_hail.tar.gz"
`;

interface Recorded {
  invocations: string[][];
}

async function readRecord(path: string): Promise<Recorded> {
  const text = await readFile(path, 'utf8');
  const invocations = text
    .split('--\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => chunk.replace(/\n$/, '').split('\n'));
  return { invocations };
}

function buildArgsOf(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (a === '--build-arg') {
      const [name, ...rest] = argv[i + 1]!.split('=');
      out[name!] = rest.join('=');
    }
  });
  return out;
}

function valueAfter(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

function memoryLogger(): HailLogger & { lines: string[]; groups: string[]; open: number } {
  const log = {
    lines: [] as string[],
    groups: [] as string[],
    open: 0,
    info: (m: string) => void log.lines.push(m),
    startGroup: (name: string) => {
      log.groups.push(name);
      log.open++;
    },
    endGroup: () => void log.open--,
  };
  return log;
}

describe('buildHailArtifacts', () => {
  let dir: string;
  let binDir: string;
  let record: string;
  let baseEnv: NodeJS.ProcessEnv;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hail-build-test-'));
    binDir = join(dir, 'bin');
    await mkdir(binDir);
    await writeFile(join(binDir, 'docker'), STANDIN);
    await chmod(join(binDir, 'docker'), 0o755);
    record = join(dir, 'record.txt');
    baseEnv = { ...process.env, PATH: `${binDir}:${process.env.PATH}`, STANDIN_RECORD: record };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('builds with a stand-in docker executable (no Docker engine here): PyPI recipe via buildx', async () => {
    const compat = checkCompatibility({ hailVersion: '0.2.135', releaseLabel: 'emr-7.13.0' });
    const outDir = join(dir, 'out');
    const logger = memoryLogger();
    const built = await buildHailArtifacts({
      compat,
      hailVersion: '0.2.135',
      recipeDir: RECIPE_DIR,
      outDir,
      logger,
      env: baseEnv,
    });

    expect(built).toEqual({
      jarPath: join(outDir, 'hail-all-spark.jar'),
      envArchivePath: join(outDir, 'pyspark_hail.tar.gz'),
    });
    await access(built.jarPath);
    await access(built.envArchivePath);

    const { invocations } = await readRecord(record);
    expect(invocations).toHaveLength(2);
    expect(invocations[0]!.slice(0, 2)).toEqual(['buildx', 'version']);
    const argv = invocations[1]!;
    expect(argv.slice(0, 2)).toEqual(['buildx', 'build']);
    expect(valueAfter(argv, '--platform')).toBe('linux/amd64');
    expect(valueAfter(argv, '--output')).toBe(`type=local,dest=${outDir}`);
    expect(basename(valueAfter(argv, '-f')!)).toBe('Dockerfile.pypi');
    expect(buildArgsOf(argv)).toEqual({
      BASE_IMAGE: 'public.ecr.aws/emr-serverless/spark/emr-7.13.0:latest',
      HAIL_VERSION: '0.2.135',
      PYTHON_VERSION: 'system',
      SPARK_VERSION: '3.5.0',
      SCALA_VERSION: '2.12.18',
    });
    expect(argv).toContain('DOCKER_BUILDKIT=');
    // The context is a copy of hail-build/ (the Dockerfile is inside it), removed afterwards.
    const context = argv[argv.length - 2]!;
    expect(valueAfter(argv, '-f')).toBe(join(context, 'Dockerfile.pypi'));
    await expect(access(context)).rejects.toThrow();
    // The build's output streamed into one log group, closed again.
    expect(logger.groups).toEqual(['Building Hail 0.2.135 for emr-7.13.0 (pypi, Python 3.9)']);
    expect(logger.open).toBe(0);
    expect(logger.lines).toEqual(
      expect.arrayContaining([
        '#1 [internal] load build definition from Dockerfile',
        '#2 stand-in progress on stderr',
      ]),
    );
    // Without a python-requirements file, the recipe's empty hook is what the build sees.
    expect(await readFile(`${record}.requirements`, 'utf8')).toBe(
      await readFile(join(RECIPE_DIR, 'requirements.txt'), 'utf8'),
    );
  });

  test('source recipe for Spark 3.2 with a plain `docker build` and BuildKit on when buildx is absent', async () => {
    const compat = checkCompatibility({ hailVersion: '0.2.100', releaseLabel: 'emr-6.7.0' });
    const outDir = join(dir, 'out');
    await buildHailArtifacts({
      compat,
      hailVersion: '0.2.100',
      recipeDir: RECIPE_DIR,
      outDir,
      logger: memoryLogger(),
      env: { ...baseEnv, STANDIN_BUILDX_RC: '1' },
    });
    const argv = (await readRecord(record)).invocations[1]!;
    expect(argv[0]).toBe('build');
    expect(argv).toContain('DOCKER_BUILDKIT=1');
    expect(valueAfter(argv, '--platform')).toBe('linux/amd64');
    expect(basename(valueAfter(argv, '-f')!)).toBe('Dockerfile.source');
    expect(buildArgsOf(argv)).toEqual({
      BASE_IMAGE: 'public.ecr.aws/amazonlinux/amazonlinux:2',
      HAIL_VERSION: '0.2.100',
      PYTHON_VERSION: 'system',
      SPARK_VERSION: '3.2.1',
      SCALA_VERSION: '2.12.13',
    });
  });

  test('a shipped Python and the user requirements file reach the build (docker given as a path)', async () => {
    const compat = checkCompatibility({ hailVersion: '0.2.136', releaseLabel: 'emr-7.5.0' });
    const reqs = join(dir, 'my-requirements.txt');
    await writeFile(reqs, 'gnomad==0.8.0\n');
    await buildHailArtifacts({
      compat,
      hailVersion: '0.2.136',
      recipeDir: RECIPE_DIR,
      outDir: join(dir, 'out'),
      pythonRequirementsPath: reqs,
      logger: memoryLogger(),
      docker: join(binDir, 'docker'),
      env: { STANDIN_RECORD: record, PATH: process.env.PATH },
    });
    const argv = (await readRecord(record)).invocations[1]!;
    expect(buildArgsOf(argv)).toMatchObject({ PYTHON_VERSION: '3.10.14', HAIL_VERSION: '0.2.136' });
    expect(await readFile(`${record}.requirements`, 'utf8')).toBe('gnomad==0.8.0\n');
  });

  test('a stand-in docker that exits 1 gives a clear error with the last lines', async () => {
    const compat = checkCompatibility({ hailVersion: '0.2.135', releaseLabel: 'emr-7.13.0' });
    const logger = memoryLogger();
    const run = buildHailArtifacts({
      compat,
      hailVersion: '0.2.135',
      recipeDir: RECIPE_DIR,
      outDir: join(dir, 'out'),
      logger,
      env: { ...baseEnv, STANDIN_MODE: 'fail' },
    });
    await expect(run).rejects.toThrow(
      /^docker build of Hail 0\.2\.135 for emr-7\.13\.0 exited with 1; last lines:\n/,
    );
    await expect(run).rejects.toThrow('ERROR: failed to solve');
    expect(logger.open).toBe(0);
  });

  test('a build that exports nothing is an error naming the missing files', async () => {
    const compat = checkCompatibility({ hailVersion: '0.2.135', releaseLabel: 'emr-7.13.0' });
    await expect(
      buildHailArtifacts({
        compat,
        hailVersion: '0.2.135',
        recipeDir: RECIPE_DIR,
        outDir: join(dir, 'out'),
        logger: memoryLogger(),
        env: { ...baseEnv, STANDIN_MODE: 'empty' },
      }),
    ).rejects.toThrow('did not export hail-all-spark.jar and pyspark_hail.tar.gz');
  });

  test('no docker at all: says Docker is needed and how to do without', async () => {
    const compat = checkCompatibility({ hailVersion: '0.2.135', releaseLabel: 'emr-7.13.0' });
    const run = buildHailArtifacts({
      compat,
      hailVersion: '0.2.135',
      recipeDir: RECIPE_DIR,
      outDir: join(dir, 'out'),
      logger: memoryLogger(),
      docker: join(dir, 'no-such-docker'),
      env: baseEnv,
    });
    await expect(run).rejects.toThrow(DOCKER_MISSING);
    await expect(run).rejects.toThrow('hail-artifacts: prebuilt with hail-jar/hail-env-archive');
  });

  test('refuses an output directory that already has files (stale files would pass for a build)', async () => {
    const outDir = join(dir, 'out');
    await mkdir(outDir);
    await writeFile(join(outDir, 'hail-all-spark.jar'), 'old');
    const compat = checkCompatibility({ hailVersion: '0.2.135', releaseLabel: 'emr-7.13.0' });
    await expect(
      buildHailArtifacts({
        compat,
        hailVersion: '0.2.135',
        recipeDir: RECIPE_DIR,
        outDir,
        logger: memoryLogger(),
        env: baseEnv,
      }),
    ).rejects.toThrow('is not empty');
  });

  test('dockerBuildArgs: one value per Dockerfile ARG the action sets', () => {
    const compat = checkCompatibility({ hailVersion: '0.2.120', releaseLabel: 'emr-6.9.0' });
    expect(dockerBuildArgs(compat, '0.2.120')).toEqual({
      BASE_IMAGE: 'public.ecr.aws/emr-serverless/spark/emr-6.9.0:latest',
      HAIL_VERSION: '0.2.120',
      PYTHON_VERSION: '3.9.19',
      SPARK_VERSION: '3.3.0',
      SCALA_VERSION: '2.12.15',
    });
  });
});
