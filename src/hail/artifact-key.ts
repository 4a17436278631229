// The content key of a Hail artifact build: sha256 over everything that decides what the build
// produces, as canonical JSON, so the same inputs give the same key on any machine.

import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { sha256Hex } from '../util/hash.js';
import type { BuildKind } from './compat.js';
import type { Architecture, OsFamily } from './versions.js';

/** Bump when the meaning of the hashed inputs changes: every old cache entry then misses. */
export const ARTIFACT_KEY_SCHEMA = 1;

export interface RecipeFile {
  /** Relative to the recipe directory, '/'-separated. */
  path: string;
  sha256: string;
}

export interface ArtifactKeyInput {
  hailVersion: string;
  buildKind: BuildKind;
  releaseLabel: string;
  /** The image the build runs on (follows from the release, but a table fix must change the key). */
  baseImage: string;
  os: OsFamily;
  /** major.minor of the archive's Python. */
  python: string;
  /** 'system' or the CPython version built and shipped. */
  pythonBuild: string;
  /** The Spark and Scala the jar is compiled for (build arguments of the source build). */
  jarSpark: string;
  scala: string;
  architecture: Architecture;
  /** The files of hail-build/ (any order; sorted here). */
  recipeFiles: readonly RecipeFile[];
  /** sha256 of the user's extra requirements file (newlines normalised), if any. */
  pythonRequirementsSha256?: string;
}

/** Exactly what is hashed: stored in the manifest so a key can be explained and re-checked. */
export interface ArtifactKeyInputs {
  schema: number;
  hailVersion: string;
  buildKind: BuildKind;
  releaseLabel: string;
  baseImage: string;
  os: OsFamily;
  python: string;
  pythonBuild: string;
  jarSpark: string;
  scala: string;
  architecture: Architecture;
  recipe: RecipeFile[];
  pythonRequirementsSha256: string | null;
}

/**
 * JSON with object keys sorted at every depth and no whitespace; undefined members are dropped,
 * arrays keep their order. Refuses values JSON cannot represent faithfully.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonicalJson: ${value} is not representable`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: cannot represent a ${typeof value}`);
}

/** The key of a set of inputs: full sha256 hex (64 chars; S3 keys have room, and no truncation to argue about). */
export function keyOfInputs(inputs: unknown): string {
  return sha256Hex(canonicalJson(inputs));
}

export function artifactKey(input: ArtifactKeyInput): { key: string; inputs: ArtifactKeyInputs } {
  const recipe = [...input.recipeFiles]
    .map((f) => ({ path: f.path, sha256: f.sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const duplicate = recipe.find((f, i) => i > 0 && recipe[i - 1]!.path === f.path);
  if (duplicate) throw new Error(`recipe file ${duplicate.path} listed twice`);
  const inputs: ArtifactKeyInputs = {
    schema: ARTIFACT_KEY_SCHEMA,
    hailVersion: input.hailVersion,
    buildKind: input.buildKind,
    releaseLabel: input.releaseLabel,
    baseImage: input.baseImage,
    os: input.os,
    python: input.python,
    pythonBuild: input.pythonBuild,
    jarSpark: input.jarSpark,
    scala: input.scala,
    architecture: input.architecture,
    recipe,
    pythonRequirementsSha256: input.pythonRequirementsSha256 ?? null,
  };
  return { key: keyOfInputs(inputs), inputs };
}

/** Text with CRLF/CR line ends turned into LF: a checkout with autocrlf must not change the key. */
export function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** sha256 of a file's content, newlines normalised unless it looks binary (has a NUL byte). */
export async function textFileSha256(path: string): Promise<string> {
  const bytes = await readFile(path);
  return sha256Hex(bytes.includes(0) ? bytes : normaliseNewlines(bytes.toString('utf8')));
}

/**
 * The recipe files under `dir` (recursively), relative paths sorted, each hashed with newlines
 * normalised. Markdown is left out (documentation does not change what is built), and so are
 * dotfiles and anything that is not a regular file.
 */
export async function recipeDigests(dir: string): Promise<RecipeFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && !e.name.toLowerCase().endsWith('.md'))
    .map((e) => join(e.parentPath, e.name))
    .map((abs) => ({ abs, path: relative(dir, abs).split(sep).join('/') }))
    .filter((f) => !f.path.split('/').some((part) => part.startsWith('.')));
  const out = await Promise.all(
    files.map(async (f) => ({ path: f.path, sha256: await textFileSha256(f.abs) })),
  );
  if (out.length === 0) throw new Error(`no recipe files in ${dir}`);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
