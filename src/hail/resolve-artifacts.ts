// Gets Hail's jar and env archive for a compatible (Hail, EMR release) pair: from the S3 cache
// when an entry for the content key is there ('auto'), else by building and caching them.
// 'prebuilt' is the caller's (the user's own files); it never reaches this module.

import { hostname } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../aws/s3-uri.js';
import { artifactKey, recipeDigests, textFileSha256 } from './artifact-key.js';
import { lookupCachedArtifacts, storeArtifacts } from './artifact-cache.js';
import { buildHailArtifacts, type BuildHailOptions, type BuiltArtifacts } from './build.js';
import type { Compatibility } from './compat.js';
import { inGroup, type HailLogger } from './logger.js';
import type { Manifest } from './manifest.js';
import type { Architecture } from './versions.js';

export type BuildFn = (opts: BuildHailOptions) => Promise<BuiltArtifacts>;

export interface ResolveHailArtifactsOptions {
  /** 'auto': cache first, build on a miss. 'build': always build, then (over)write the entry. */
  mode: 'auto' | 'build';
  s3: S3Client;
  /** The action's S3 prefix; the cache is <prefix>/hail/<key>/. */
  prefix: S3Location;
  compat: Compatibility;
  hailVersion: string;
  releaseLabel: string;
  architecture: Architecture;
  recipeDir: string;
  pythonRequirementsPath?: string;
  /** A scratch directory (RUNNER_TEMP); the build writes under it and cleans up. */
  workDir: string;
  logger: HailLogger;
  /** Replaces the Docker build (tests). */
  buildFn?: BuildFn;
  /** Recorded in the manifest; defaults to the workflow run's URL, else the host name. */
  builder?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedHailArtifacts {
  source: 'cache-hit' | 'built';
  jarUri: string;
  envArchiveUri: string;
  cacheKey: string;
  manifest: Manifest;
  /** Artifact bytes this call uploaded (0 on a cache hit). */
  uploadedBytes: number;
}

function defaultBuilder(env: NodeJS.ProcessEnv): string {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: runId } = env;
  if (server && repo && runId) return `hail-emr-serverless in ${server}/${repo}/actions/runs/${runId}`;
  return `hail-emr-serverless on ${hostname()}`;
}

function checkAgreement(o: ResolveHailArtifactsOptions): void {
  const { compat } = o;
  if (
    compat.hailVersion !== o.hailVersion ||
    compat.releaseLabel !== o.releaseLabel ||
    compat.architecture !== o.architecture
  ) {
    throw new Error(
      `internal: compatibility was decided for hail ${compat.hailVersion} on ${compat.releaseLabel} ` +
        `(${compat.architecture}), not hail ${o.hailVersion} on ${o.releaseLabel} (${o.architecture})`,
    );
  }
  if (compat.verdict === 'impossible') throw new Error(compat.reason);
}

/** The content key of the artifacts for these options: no I/O beyond reading the recipe files. */
export async function artifactKeyFor(
  o: Pick<
    ResolveHailArtifactsOptions,
    'compat' | 'hailVersion' | 'releaseLabel' | 'architecture' | 'recipeDir' | 'pythonRequirementsPath'
  >,
) {
  const { compat } = o;
  return artifactKey({
    hailVersion: o.hailVersion,
    buildKind: compat.buildKind,
    releaseLabel: o.releaseLabel,
    baseImage: compat.baseImage,
    os: compat.os,
    python: compat.python,
    pythonBuild: compat.pythonBuild,
    jarSpark: compat.jarSpark,
    scala: compat.scala,
    architecture: o.architecture,
    recipeFiles: await recipeDigests(o.recipeDir),
    pythonRequirementsSha256: o.pythonRequirementsPath
      ? await textFileSha256(o.pythonRequirementsPath)
      : undefined,
  });
}

export async function resolveHailArtifacts(o: ResolveHailArtifactsOptions): Promise<ResolvedHailArtifacts> {
  checkAgreement(o);
  const { compat, logger } = o;
  const env = o.env ?? process.env;

  const { key, inputs } = await artifactKeyFor(o);
  logger.info(
    `Hail artifacts key ${key} (hail ${o.hailVersion}, ${o.releaseLabel}, ${compat.buildKind}, Python ${compat.python})`,
  );

  if (o.mode === 'auto') {
    const found = await lookupCachedArtifacts(o.s3, o.prefix, key);
    if (found.hit) {
      logger.info(`Hail artifacts: cache hit (built ${found.manifest.builtAt} by ${found.manifest.builder})`);
      return {
        source: 'cache-hit',
        jarUri: found.jarUri,
        envArchiveUri: found.envArchiveUri,
        cacheKey: key,
        manifest: found.manifest,
        uploadedBytes: 0,
      };
    }
    logger.info(`Hail artifacts: cache miss (${found.reason}); building`);
  } else {
    logger.info('Hail artifacts: hail-artifacts is build; building');
  }

  const outDir = join(o.workDir, `hail-artifacts-${key.slice(0, 16)}`);
  await rm(outDir, { recursive: true, force: true }); // ours: left over only by an earlier failed attempt
  try {
    const built = await (o.buildFn ?? buildHailArtifacts)({
      compat,
      hailVersion: o.hailVersion,
      recipeDir: o.recipeDir,
      outDir,
      pythonRequirementsPath: o.pythonRequirementsPath,
      logger,
      env,
      signal: o.signal,
    });
    const stored = await inGroup(logger, `Caching Hail artifacts under ${key}`, () =>
      storeArtifacts(
        o.s3,
        o.prefix,
        key,
        built,
        {
          inputs: inputs as unknown as Record<string, unknown>,
          hail: o.hailVersion,
          spark: compat.jarSpark,
          scala: compat.scala,
          python: compat.python,
          java: compat.java,
          releaseLabel: o.releaseLabel,
          buildKind: compat.buildKind,
          builder: o.builder ?? defaultBuilder(env),
        },
        o.signal,
      ),
    );
    logger.info(`Hail artifacts: built and cached (${stored.jarUri}, ${stored.envArchiveUri})`);
    return {
      source: 'built',
      jarUri: stored.jarUri,
      envArchiveUri: stored.envArchiveUri,
      cacheKey: key,
      manifest: stored.manifest,
      uploadedBytes: stored.uploadedBytes,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
