// The examples users copy: every Python script compiles (Hail is not installed here, so compile
// only), and every workflow parses, pins third-party actions to full commit SHAs with a version
// comment, grants the OIDC permission it needs, and names files that exist.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parseDocument } from 'yaml';

const ROOT = new URL('../../../', import.meta.url).pathname;
/** The action itself, as the examples refer to it: by its major tag (moved by scripts/release.sh) or a SHA. */
const THIS_ACTION = 'hail-emr-serverless/hail-emr-serverless';
const SHA = /^[0-9a-f]{40}$/;

function filesUnder(dir: string, suffixes: string[]): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(
      (e) => e.isFile() && suffixes.some((s) => e.name.endsWith(s)) && !e.parentPath.includes('__pycache__'),
    )
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const rel = (path: string) => relative(ROOT, path);
const pythonFiles = filesUnder(join(ROOT, 'examples'), ['.py']);
const workflowFiles = [
  ...filesUnder(join(ROOT, 'examples/workflows'), ['.yml', '.yaml']),
  ...filesUnder(join(ROOT, '.github/workflows'), ['.yml', '.yaml']),
];

describe('examples/*.py', () => {
  const cache = mkdtempSync(join(tmpdir(), 'hes-pycache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('includes the GWAS, the QC job and the result writer', () => {
    expect(pythonFiles.map(rel)).toEqual(
      expect.arrayContaining(['examples/gwas.py', 'examples/qc.py', 'examples/action_result.py']),
    );
  });

  it.each(pythonFiles.map(rel))('%s compiles', (file) => {
    // PYTHONPYCACHEPREFIX keeps the .pyc files out of examples/.
    const r = spawnSync('python3', ['-m', 'py_compile', file], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPYCACHEPREFIX: cache },
    });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

// ---- workflows

type Json = unknown;
interface Step {
  uses?: string;
  with?: Record<string, Json>;
}
interface Job {
  uses?: string;
  permissions?: Json;
  steps?: Step[];
}
interface Workflow {
  on?: Json;
  permissions?: Json;
  jobs?: Record<string, Job>;
}

function loadWorkflow(path: string): Workflow {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  if (doc.errors.length > 0) throw new Error(`${rel(path)}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS() as Workflow;
}

/** Every `uses:` of a workflow: job-level (reusable workflows) and step-level. */
function usesOf(wf: Workflow): string[] {
  return Object.values(wf.jobs ?? {}).flatMap((job) => [
    ...(job.uses ? [job.uses] : []),
    ...(job.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : [])),
  ]);
}

/** What is wrong with one `uses:` reference, if anything. */
function pinProblem(uses: string): string | undefined {
  if (uses.startsWith('./') || uses.startsWith('docker://')) return undefined;
  const at = uses.lastIndexOf('@');
  if (at < 0) return `${uses}: no @ref`;
  const name = uses.slice(0, at);
  const ref = uses.slice(at + 1);
  if (name === THIS_ACTION)
    return /^v\d+(\.\d+){0,2}$/.test(ref) || SHA.test(ref) ? undefined : `${uses}: use a tag or a SHA`;
  return SHA.test(ref)
    ? undefined
    : `${uses}: third-party actions must be pinned to a full 40-hex commit SHA`;
}

function grants(permissions: Json, scope: string, level: string): boolean {
  if (permissions === `${level}-all`) return true;
  return (
    typeof permissions === 'object' &&
    permissions !== null &&
    (permissions as Record<string, Json>)[scope] === level
  );
}

describe('workflows (examples/workflows/ and .github/workflows/)', () => {
  it('exist: the three user examples, CI and CodeQL', () => {
    expect(workflowFiles.map(rel)).toEqual(
      expect.arrayContaining([
        'examples/workflows/pull-request.yml',
        'examples/workflows/scheduled.yml',
        'examples/workflows/manual-dispatch.yml',
        '.github/workflows/ci.yml',
        '.github/workflows/codeql.yml',
      ]),
    );
  });

  it('knows a pin from a floating ref', () => {
    expect(pinProblem('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1')).toBeUndefined();
    expect(pinProblem('github/codeql-action/init@8aad20d150bbac5944a9f9d289da16a4b0d87c1e')).toBeUndefined();
    expect(pinProblem('./')).toBeUndefined();
    expect(pinProblem(`${THIS_ACTION}@v1`)).toBeUndefined();
    expect(pinProblem('actions/checkout@v7')).toMatch(/40-hex/);
    expect(pinProblem('actions/checkout@3d3c42e')).toMatch(/40-hex/);
    expect(pinProblem('someone/else@main')).toMatch(/40-hex/);
  });

  describe.each(workflowFiles.map(rel))('%s', (file) => {
    const path = join(ROOT, file);
    const text = readFileSync(path, 'utf8');

    it('parses, with triggers and jobs', () => {
      const wf = loadWorkflow(path);
      expect(wf.on).toBeDefined();
      expect(Object.keys(wf.jobs ?? {}).length).toBeGreaterThan(0);
    });

    it('pins every third-party action to a commit SHA', () => {
      const problems = usesOf(loadWorkflow(path)).flatMap((u) => pinProblem(u) ?? []);
      expect(problems).toEqual([]);
    });

    it('says which version each SHA is, in a `# vX.Y.Z` comment', () => {
      const pinned = text.split('\n').filter((line) => /uses:\s*\S+@[0-9a-f]{40}/.test(line));
      expect(pinned.length).toBeGreaterThan(0);
      for (const line of pinned) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    });

    it('grants id-token: write wherever configure-aws-credentials runs', () => {
      const wf = loadWorkflow(path);
      for (const [name, job] of Object.entries(wf.jobs ?? {})) {
        const usesAws = (job.steps ?? []).some((s) =>
          s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        );
        if (!usesAws) continue;
        const scoped = job.permissions ?? wf.permissions;
        expect({ job: name, granted: grants(scoped, 'id-token', 'write') }).toEqual({
          job: name,
          granted: true,
        });
      }
    });

    it('names scripts and py-files that exist in this repository', () => {
      const wf = loadWorkflow(path);
      const steps = Object.values(wf.jobs ?? {})
        .flatMap((job) => job.steps ?? [])
        .filter((s) => s.uses === './' || s.uses?.startsWith(`${THIS_ACTION}@`));
      const literalScripts = steps.filter(
        (s) => typeof s.with?.script === 'string' && !s.with.script.includes('${{'),
      );
      const named = steps
        .flatMap((s) => [s.with?.script, s.with?.['py-files']])
        .filter((v): v is string => typeof v === 'string' && !v.includes('${{'))
        .flatMap((v) => v.split('\n').map((l) => l.trim()))
        .filter((v) => v !== '');
      // Every literal script is checked (the loop below cannot pass by having nothing to look at).
      expect(named.length).toBeGreaterThanOrEqual(literalScripts.length);
      for (const file of named)
        expect({ file, exists: existsSync(join(ROOT, file)) }).toEqual({ file, exists: true });
    });
  });

  it('pins each action to the same SHA everywhere', () => {
    const seen = new Map<string, Set<string>>();
    for (const file of workflowFiles) {
      for (const uses of usesOf(loadWorkflow(file))) {
        const [name, ref] = uses.split('@') as [string, string | undefined];
        if (!ref || !SHA.test(ref)) continue;
        const repo = name.split('/').slice(0, 2).join('/');
        seen.set(repo, (seen.get(repo) ?? new Set()).add(ref));
      }
    }
    const inconsistent = [...seen]
      .filter(([, refs]) => refs.size > 1)
      .map(([repo, refs]) => `${repo}: ${[...refs]}`);
    expect(inconsistent).toEqual([]);
  });
});

describe('README.md', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('has YAML snippets that parse and pin their actions', () => {
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) {
      const doc = parseDocument(block);
      expect(doc.errors.map((e) => e.message)).toEqual([]);
      const uses = [...block.matchAll(/uses:\s*(\S+)/g)].map((m) => m[1]!);
      expect(uses.flatMap((u) => pinProblem(u) ?? [])).toEqual([]);
    }
  });

  it('shows the IAM policies that are in docs/iam/, as valid JSON', () => {
    for (const file of filesUnder(join(ROOT, 'docs/iam'), ['.json'])) {
      const policy = JSON.parse(readFileSync(file, 'utf8')) as { Version?: string; Statement?: unknown[] };
      expect(policy.Version).toBe('2012-10-17');
      expect(policy.Statement?.length).toBeGreaterThan(0);
      expect(readme).toContain(`<!-- file:${rel(file)}:start -->`);
    }
  });
});
