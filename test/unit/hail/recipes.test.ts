// The Docker recipes, build.sh and the workflow, checked without Docker: parsed, their shell run
// through `bash -n`, and their decisions compared with the TypeScript tables.

import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { dockerBuildArgs, dockerfileFor } from '../../../src/hail/build.js';
import { checkCompatibility, compatibilityTableMarkdown } from '../../../src/hail/compat.js';
import { EMR_RELEASES, HAIL_POST_RELEASES, KNOWN_HAIL_VERSIONS } from '../../../src/hail/versions.js';
import { argName, execForm, parseDockerfile, referencedVariables, type Stage } from './dockerfile-parse.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const RECIPE_DIR = join(ROOT, 'hail-build');
const DOCKERFILES = ['Dockerfile.pypi', 'Dockerfile.source'];
const SCRIPTS = readdirSync(RECIPE_DIR).filter((f) => f.endsWith('.sh'));
const ACTION_ARGS = Object.keys(
  dockerBuildArgs(checkCompatibility({ hailVersion: '0.2.135', releaseLabel: 'emr-7.13.0' }), '0.2.135'),
);

function bashSyntax(script: string): { status: number | null; stderr: string } {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

function read(name: string): string {
  return readFileSync(join(RECIPE_DIR, name), 'utf8');
}

/** `: "${NAME:?}"`-style requirements a helper script has of its environment. */
function requiredEnv(script: string): string[] {
  return [...script.matchAll(/\$\{([A-Z_][A-Z0-9_]*):\?/g)].map((m) => m[1]!);
}

describe.each(DOCKERFILES)('%s', (file) => {
  const df = parseDockerfile(read(file));
  const build = df.stages[0]!;
  const last = df.stages[df.stages.length - 1]!;
  const declaredAnywhere = new Set([
    ...df.preamble.filter((i) => i.keyword === 'ARG').map(argName),
    ...df.stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'ARG').map(argName)),
    ...ACTION_ARGS,
  ]);

  test('only ARGs come before the first FROM, and BASE_IMAGE is one of them', () => {
    expect(df.preamble.map((i) => i.keyword)).toEqual(df.preamble.map(() => 'ARG'));
    expect(df.preamble.map(argName)).toContain('BASE_IMAGE');
  });

  test('two stages: the build on ${BASE_IMAGE}, then FROM scratch holding only /out', () => {
    expect(df.stages).toHaveLength(2);
    expect(build.image).toBe('${BASE_IMAGE}');
    expect(build.name).toBe('build');
    expect(last.image).toBe('scratch');
    expect(last.instructions.map((i) => `${i.keyword} ${i.args}`)).toEqual(['COPY --from=build /out/ /']);
  });

  test('FROM lines use only ARGs declared before the first FROM', () => {
    const global = new Set(df.preamble.map(argName));
    for (const stage of df.stages) {
      for (const v of referencedVariables(stage.from.args))
        expect(global.has(v) ? v : `undeclared ${v}`).toBe(v);
    }
  });

  test('every ARG is declared in its stage before it is used', () => {
    const problems: string[] = [];
    for (const stage of df.stages) {
      const declared = new Set<string>();
      for (const ins of stage.instructions) {
        if (ins.keyword === 'ARG') {
          declared.add(argName(ins));
          continue;
        }
        for (const v of referencedVariables(ins.args)) {
          if (declaredAnywhere.has(v) && !declared.has(v))
            problems.push(`line ${ins.line}: ${v} used before ARG ${v}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('declares every build argument the action passes; the action passes every ARG without a default', () => {
    const stageArgs = build.instructions.filter((i) => i.keyword === 'ARG');
    const declared = new Set([...df.preamble.map(argName), ...stageArgs.map(argName)]);
    for (const name of ACTION_ARGS) expect(declared.has(name) ? name : `missing ARG ${name}`).toBe(name);
    const required = stageArgs.filter((i) => !i.args.includes('=')).map(argName);
    for (const name of required) expect(ACTION_ARGS).toContain(name);
  });

  test('the build stage runs as root with bash -euo pipefail', () => {
    const keywords = build.instructions.map((i) => i.keyword);
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('RUN'));
    expect(build.instructions.find((i) => i.keyword === 'USER')!.args).toBe('root');
    const shell = build.instructions.find((i) => i.keyword === 'SHELL')!;
    expect(execForm(shell.args)).toEqual(['/bin/bash', '-euo', 'pipefail', '-c']);
    expect(keywords.indexOf('SHELL')).toBeLessThan(keywords.indexOf('RUN'));
  });

  test('every RUN is valid bash (bash -n)', () => {
    const runs = build.instructions.filter((i) => i.keyword === 'RUN');
    expect(runs.length).toBeGreaterThan(3);
    for (const run of runs) {
      expect(execForm(run.args)).toBeUndefined();
      const r = bashSyntax(run.args);
      expect({ line: run.line, ...r }).toEqual({ line: run.line, status: 0, stderr: '' });
    }
  });

  test('COPY sources from the context exist, and the scripts it runs get the ARGs they require', () => {
    const declared = new Set(build.instructions.filter((i) => i.keyword === 'ARG').map(argName));
    const copies = build.instructions.filter((i) => i.keyword === 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/);
      for (const source of parts.slice(0, -1)) {
        expect(existsSync(join(RECIPE_DIR, source)) ? source : `missing ${source}`).toBe(source);
        if (source.endsWith('.sh')) {
          for (const name of requiredEnv(read(source))) {
            expect(declared.has(name) ? name : `${source} needs ${name}`).toBe(name);
          }
        }
      }
    }
  });

  test('pyspark is removed from the environment (EMR provides it)', () => {
    expect(stageText(build)).toContain('pack-env.sh');
    expect(read('pack-env.sh')).toMatch(/pip uninstall -y pyspark/);
  });
});

function stageText(stage: Stage): string {
  return stage.instructions.map((i) => `${i.keyword} ${i.args}`).join('\n');
}

describe('Dockerfile.source', () => {
  test('runs make install-on-cluster with natives, the Spark and Scala build args and the packed env as HAIL_PYTHON3', () => {
    const text = stageText(parseDockerfile(read('Dockerfile.source')).stages[0]!);
    expect(text).toMatch(/make -C \/src\/hail\/hail install-on-cluster/);
    expect(text).toContain('HAIL_COMPILE_NATIVES=1');
    expect(text).toContain('SPARK_VERSION="${SPARK_VERSION}"');
    expect(text).toContain('SCALA_VERSION="${SCALA_VERSION}"');
    expect(text).toContain('HAIL_PYTHON3=/opt/env/bin/python3');
    expect(text).toContain('--branch "${HAIL_VERSION}"');
  });
});

describe('hail-build scripts', () => {
  test.each(SCRIPTS)('%s is valid bash and strict', (name) => {
    const text = read(name);
    expect(bashSyntax(text)).toEqual({ status: 0, stderr: '' });
    expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
    expect(text).toContain('set -euo pipefail');
  });

  test('the archive carries no second copy of the jar, only a link to where --jars puts it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'link-jar-'));
    try {
      // An environment as venv-pack packs it (paths relative to its root), the jar already removed.
      const env = join(dir, 'env');
      mkdirSync(join(env, 'lib/python3.9/site-packages/hail/backend'), { recursive: true });
      writeFileSync(join(env, 'lib/python3.9/site-packages/hail/__init__.py'), '');
      const archive = join(dir, 'pyspark_hail.tar.gz');
      expect(spawnSync('tar', ['-czf', archive, '-C', env, 'lib']).status).toBe(0);
      const r = spawnSync(
        'bash',
        [join(RECIPE_DIR, 'link-jar.sh'), archive, 'lib/python3.9/site-packages/'],
        {
          encoding: 'utf8',
        },
      );
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      // Unpacked as EMR does: ./environment in the working directory, where --jars puts the jar.
      const work = join(dir, 'work');
      mkdirSync(join(work, 'environment'), { recursive: true });
      expect(spawnSync('tar', ['-xzf', archive, '-C', join(work, 'environment')]).status).toBe(0);
      writeFileSync(join(work, 'hail-all-spark.jar'), 'the jar');
      const link = join(work, 'environment/lib/python3.9/site-packages/hail/backend/hail-all-spark.jar');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readFileSync(link, 'utf8')).toBe('the jar');
      expect(realpathSync(link)).toBe(realpathSync(join(work, 'hail-all-spark.jar')));
      expect(
        readFileSync(join(work, 'environment/lib/python3.9/site-packages/hail/__init__.py'), 'utf8'),
      ).toBe('');
      // An archive that still carries the jar is refused.
      writeFileSync(join(env, 'lib/python3.9/site-packages/hail/backend/hail-all-spark.jar'), 'copy');
      expect(spawnSync('tar', ['-czf', archive, '-C', env, 'lib']).status).toBe(0);
      const again = spawnSync(
        'bash',
        [join(RECIPE_DIR, 'link-jar.sh'), archive, 'lib/python3.9/site-packages'],
        {
          encoding: 'utf8',
        },
      );
      expect(again.status).toBe(1);
      expect(again.stderr).toContain(
        'still carries lib/python3.9/site-packages/hail/backend/hail-all-spark.jar',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("pack-env.sh removes the wheel's jar before packing, links it, and imports hail with the image's pyspark", () => {
    const text = read('pack-env.sh');
    const order = [
      'cp "$jar" "$out/hail-all-spark.jar"',
      'rm "$jar"',
      'venv-pack -p /opt/env',
      '/link-jar.sh" "$out/pyspark_hail.tar.gz" "$site"',
      'import pyspark, hail',
    ];
    const at = order.map((s) => text.indexOf(s));
    expect(at.every((i) => i >= 0) ? at : order.filter((_, i) => at[i]! < 0)).toEqual(
      [...at].sort((a, b) => a - b),
    );
    expect(text).toContain('PYTHONPATH="$spark_python:$py4j"');
    expect(text).toContain('cp "$out/hail-all-spark.jar" "$workdir/hail-all-spark.jar"');
    for (const df of ['Dockerfile.pypi', 'Dockerfile.source'])
      expect(read(df)).toMatch(/COPY .*link-jar\.sh/);
  });

  test('a shipped Python is made relocatable: venv --copies, the stdlib copied in, venv-pack --python-prefix', () => {
    expect(read('make-venv.sh')).toContain('-m venv --copies /opt/env');
    expect(read('make-venv.sh')).toMatch(/tar --exclude=\.\/site-packages/);
    expect(read('pack-env.sh')).toContain('--python-prefix "$ENV_PREFIX"');
  });
});

describe('build.sh agrees with the TypeScript decision', () => {
  const script = join(RECIPE_DIR, 'build.sh');
  // Every listed release and every published post-release (which maps to its base release's row).
  const versions = [...KNOWN_HAIL_VERSIONS, ...HAIL_POST_RELEASES];
  const pairs = versions.flatMap((v) => EMR_RELEASES.map((r) => [v, r.label] as const));

  test(`for all ${versions.length} x ${EMR_RELEASES.length} pairs (one bash process)`, () => {
    const loop =
      `source ${JSON.stringify(script)}\n` +
      'while read -r hail label; do\n' +
      '  if decide "$hail" "$label"; then\n' +
      '    echo "$hail $label $DOCKERFILE $BASE_IMAGE $HAIL_VERSION $PYTHON_VERSION $SPARK_VERSION $SCALA_VERSION"\n' +
      '  else echo "$hail $label no"; fi\n' +
      'done\n';
    const r = spawnSync('bash', ['-c', loop], {
      input: pairs.map((p) => p.join(' ')).join('\n') + '\n',
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const fromBash = r.stdout.trim().split('\n');
    const fromTs = pairs.map(([hailVersion, releaseLabel]) => {
      const c = checkCompatibility({ hailVersion, releaseLabel });
      if (c.verdict === 'impossible') return `${hailVersion} ${releaseLabel} no`;
      const a = dockerBuildArgs(c, hailVersion);
      return [
        hailVersion,
        releaseLabel,
        dockerfileFor(c.buildKind),
        a.BASE_IMAGE,
        a.HAIL_VERSION,
        a.PYTHON_VERSION,
        a.SPARK_VERSION,
        a.SCALA_VERSION,
      ].join(' ');
    });
    expect(fromBash).toEqual(fromTs);
  });

  test('--print-args prints the decision; an impossible pair exits 2 with the reason; bad usage exits 64', () => {
    const ok = spawnSync('bash', [script, '--print-args', '0.2.136', 'emr-7.5.0'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(
      [
        'DOCKERFILE=Dockerfile.pypi',
        'BASE_IMAGE=public.ecr.aws/emr-serverless/spark/emr-7.5.0:latest',
        'HAIL_VERSION=0.2.136',
        'PYTHON_VERSION=3.10.14',
        'SPARK_VERSION=3.5.0',
        'SCALA_VERSION=2.12.18',
        '',
      ].join('\n'),
    );
    const no = spawnSync('bash', [script, '--print-args', '0.2.131', 'emr-6.13.0'], { encoding: 'utf8' });
    expect(no.status).toBe(2);
    expect(no.stderr).toContain('emr-6.13.0 runs Spark 3.4');
    const unknown = spawnSync('bash', [script, '--print-args', '0.2.140', 'emr-7.5.0'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('not in the table');
    const usage = spawnSync('bash', [script], { encoding: 'utf8' });
    expect(usage.status).toBe(64);
    expect(usage.stderr).toContain('build.sh HAIL_VERSION RELEASE_LABEL');
  });
});

describe('hail-build/README.md', () => {
  const START = '<!-- compat-table:start (generated by compatibilityTableMarkdown; do not edit) -->\n';
  const END = '<!-- compat-table:end -->';

  test('carries the current compatibility table (UPDATE_HAIL_BUILD_README=1 rewrites it)', () => {
    const path = join(RECIPE_DIR, 'README.md');
    const text = readFileSync(path, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    const fresh = compatibilityTableMarkdown();
    if (process.env.UPDATE_HAIL_BUILD_README === '1' && start >= 0 && end > start) {
      writeFileSync(path, text.slice(0, start + START.length) + fresh + text.slice(end));
      return;
    }
    expect(start).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    expect(text.slice(start + START.length, end)).toBe(fresh);
  });
});

describe('.github/workflows/build-hail-artifacts.yml', () => {
  const raw = readFileSync(join(ROOT, '.github/workflows/build-hail-artifacts.yml'), 'utf8');
  const wf = parseYaml(raw) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<
      string,
      {
        'runs-on': string;
        strategy: { matrix: { include: { 'hail-version': string; 'release-label': string }[] } };
        steps: { uses?: string; run?: string; with?: Record<string, unknown> }[];
      }
    >;
  };
  const job = wf.jobs.build!;

  test('manual trigger, read-only token, ubuntu runner', () => {
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    expect(wf.permissions).toEqual({ contents: 'read' });
    expect(job['runs-on']).toBe('ubuntu-latest');
  });

  test('every action is pinned to a full commit SHA with a version comment', () => {
    const uses = raw.split('\n').filter((l) => /^\s*-?\s*uses:/.test(l));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  test('every matrix pair can be built, and the matrix covers each recipe path', () => {
    const verdicts = job.strategy.matrix.include.map(
      (p) => checkCompatibility({ hailVersion: p['hail-version'], releaseLabel: p['release-label'] }).verdict,
    );
    expect(verdicts).not.toContain('impossible');
    expect(new Set(verdicts)).toEqual(new Set(['compatible', 'needs-newer-python', 'needs-source-build']));
  });

  test('runs build.sh into out/ and uploads out/, failing when nothing was built', () => {
    const run = job.steps.find((s) => s.run?.includes('hail-build/build.sh'))!;
    expect(bashSyntax(run.run!)).toEqual({ status: 0, stderr: '' });
    expect(run.run).toContain('"$HAIL_VERSION" "$RELEASE_LABEL" out');
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({ path: 'out/', 'if-no-files-found': 'error' });
  });
});
