// Builds hail-all-spark.jar and pyspark_hail.tar.gz with Docker (BuildKit, exported with
// --output type=local) on the EMR release's own OS image, using the recipes in hail-build/.

import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BuildKind, Compatibility } from './compat.js';
import { inGroup, type HailLogger } from './logger.js';
import { ENV_ARCHIVE_NAME, JAR_NAME } from './manifest.js';

export interface BuildHailOptions {
  compat: Compatibility;
  hailVersion: string;
  /** hail-build/: the Dockerfiles (copied into a fresh build context). */
  recipeDir: string;
  /** Where the two files land; must not exist yet, or be empty. */
  outDir: string;
  /** Extra pip requirements, installed into the archive after Hail. */
  pythonRequirementsPath?: string;
  logger: HailLogger;
  /** The docker executable: a name looked up on PATH, or a path. Default 'docker'. */
  docker?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the docker client, which cancels the build. */
  signal?: AbortSignal;
}

export interface BuiltArtifacts {
  jarPath: string;
  envArchivePath: string;
}

export const PLATFORM = 'linux/amd64';
/** The build context file the Dockerfiles install extra requirements from. */
export const REQUIREMENTS_FILE = 'requirements.txt';

export const DOCKER_MISSING =
  "Docker is needed to build Hail artifacts; GitHub's ubuntu runners have it; or pass hail-artifacts: prebuilt " +
  'with hail-jar/hail-env-archive';

export function dockerfileFor(kind: BuildKind): string {
  return `Dockerfile.${kind}`;
}

/** The --build-arg values; every name here is declared by both Dockerfiles (a unit test checks). */
export function dockerBuildArgs(compat: Compatibility, hailVersion: string): Record<string, string> {
  return {
    BASE_IMAGE: compat.baseImage,
    HAIL_VERSION: hailVersion,
    PYTHON_VERSION: compat.pythonBuild,
    SPARK_VERSION: compat.jarSpark,
    SCALA_VERSION: compat.scala,
  };
}

export interface DockerInvocation {
  args: string[];
  /** Extra environment (DOCKER_BUILDKIT=1 for a plain `docker build`). */
  env: Record<string, string>;
}

/** The command line for one build: `buildx build` when buildx is there, else `build` with BuildKit on. */
export function dockerBuildInvocation(p: {
  buildx: boolean;
  contextDir: string;
  dockerfile: string;
  outDir: string;
  buildArgs: Record<string, string>;
}): DockerInvocation {
  const args = p.buildx ? ['buildx', 'build', '--provenance=false'] : ['build'];
  args.push('--platform', PLATFORM, '--pull', '--progress=plain');
  args.push('--output', `type=local,dest=${p.outDir}`);
  args.push('-f', join(p.contextDir, p.dockerfile));
  for (const [name, value] of Object.entries(p.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  args.push(p.contextDir);
  return { args, env: p.buildx ? {} : { DOCKER_BUILDKIT: '1' } };
}

class DockerNotFound extends Error {}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  tail: string[];
}

const TAIL_LINES = 30;

function run(
  docker: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
  signal?: AbortSignal,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(docker, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal });
    const tail: string[] = [];
    const take = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      onLine(line);
    };
    createInterface({ input: child.stdout }).on('line', take);
    createInterface({ input: child.stderr }).on('line', take);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new DockerNotFound(`${docker}: not found`));
      else reject(err);
    });
    child.on('close', (code, sig) => resolve({ code, signal: sig, tail }));
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function requireEmptyDir(dir: string): Promise<void> {
  try {
    const entries = await readdir(dir);
    if (entries.length > 0) throw new Error(`build output directory ${dir} is not empty`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function hintFor(tail: string[]): string {
  const text = tail.join('\n');
  if (/Cannot connect to the Docker daemon|docker daemon is not running/i.test(text)) {
    return ' (the Docker engine is not running; start it, or pass hail-artifacts: prebuilt)';
  }
  if (/buildx component is missing|unknown flag: --output/i.test(text)) {
    return ' (this Docker has no BuildKit/buildx; install the buildx plugin)';
  }
  return '';
}

/**
 * Runs the Docker build for `compat` and returns the two exported files. Output is streamed to the
 * logger inside a group. Throws a clear error when docker is missing, fails, or exports no files.
 */
export async function buildHailArtifacts(opts: BuildHailOptions): Promise<BuiltArtifacts> {
  const docker = opts.docker ?? 'docker';
  const env = opts.env ?? process.env;
  const { compat, hailVersion, logger } = opts;
  await requireEmptyDir(opts.outDir);

  // A fresh context: the recipe files plus the user's requirements in place of the empty hook.
  const contextDir = await mkdtemp(join(dirname(opts.outDir), 'hail-build-context-'));
  try {
    await cp(opts.recipeDir, contextDir, { recursive: true });
    if (opts.pythonRequirementsPath)
      await cp(opts.pythonRequirementsPath, join(contextDir, REQUIREMENTS_FILE));

    let buildx: boolean;
    try {
      buildx = (await run(docker, ['buildx', 'version'], env, () => undefined, opts.signal)).code === 0;
    } catch (err) {
      if (err instanceof DockerNotFound)
        throw new Error(`${DOCKER_MISSING} (${err.message})`, { cause: err });
      throw err;
    }
    const invocation = dockerBuildInvocation({
      buildx,
      contextDir,
      dockerfile: dockerfileFor(compat.buildKind),
      outDir: opts.outDir,
      buildArgs: dockerBuildArgs(compat, hailVersion),
    });
    const title = `Building Hail ${hailVersion} for ${compat.releaseLabel} (${compat.buildKind}, Python ${compat.python})`;
    const result = await inGroup(logger, title, async () => {
      logger.info(`${docker} ${invocation.args.join(' ')}`);
      return run(
        docker,
        invocation.args,
        { ...env, ...invocation.env },
        (line) => logger.info(line),
        opts.signal,
      );
    });
    if (result.code !== 0) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.code}`;
      throw new Error(
        `docker build of Hail ${hailVersion} for ${compat.releaseLabel} ${how}${hintFor(result.tail)}; last lines:\n` +
          result.tail.join('\n'),
      );
    }
  } finally {
    await rm(contextDir, { recursive: true, force: true });
  }

  const jarPath = join(opts.outDir, JAR_NAME);
  const envArchivePath = join(opts.outDir, ENV_ARCHIVE_NAME);
  const present = await Promise.all([jarPath, envArchivePath].map(exists));
  if (present.includes(false)) {
    const found = await readdir(opts.outDir).catch(() => [] as string[]);
    throw new Error(
      `the Docker build finished but did not export ${JAR_NAME} and ${ENV_ARCHIVE_NAME} into ${opts.outDir} ` +
        `(found: ${found.length ? found.join(', ') : 'nothing'})`,
    );
  }
  return { jarPath, envArchivePath };
}
