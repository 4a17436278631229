#!/usr/bin/env node
// Regenerates the parts of README.md that have a source of truth elsewhere, between markers:
//
//   <!-- inputs:start --> … <!-- inputs:end -->     the inputs table, from action.yml
//   <!-- outputs:start --> … <!-- outputs:end -->   the outputs table, from action.yml
//   <!-- compat:start --> … <!-- compat:end -->     compatibilityTableMarkdown() of src/hail/compat.ts
//   <!-- file:PATH:start --> … <!-- file:PATH:end --> a repository file, as a fenced code block
//
//   node scripts/docs.mjs            rewrite README.md
//   node scripts/docs.mjs --check    exit 1, saying what differs, when README.md is out of date
//   --readme PATH / --action PATH    other files (the tests use tampered copies)
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const COMPAT_SOURCE = join(ROOT, 'src/hail/compat.ts');
const REGENERATE = 'run `npm run docs` (node scripts/docs.mjs) and commit README.md';

/** Thrown for problems the user must fix; printed without a stack trace. */
class DocsError extends Error {}

function parseArgs(argv) {
  const opts = { check: false, readme: join(ROOT, 'README.md'), action: join(ROOT, 'action.yml') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') opts.check = true;
    else if (arg === '--readme' || arg === '--action') {
      const value = argv[++i];
      if (!value) throw new DocsError(`${arg} needs a path`);
      opts[arg.slice(2)] = resolve(value);
    } else throw new DocsError(`unknown argument "${arg}" (expected --check, --readme PATH, --action PATH)`);
  }
  return opts;
}

// ---------------------------------------------------------------- action.yml -> tables

function readActionYml(path) {
  let doc;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DocsError(`${path} is not valid YAML: ${err.message}`);
  }
  const problems = [];
  for (const kind of ['inputs', 'outputs']) {
    const entries = doc?.[kind];
    if (!entries || typeof entries !== 'object') {
      problems.push(`has no ${kind}`);
      continue;
    }
    for (const [name, spec] of Object.entries(entries)) {
      if (typeof spec?.description !== 'string' || spec.description.trim() === '') {
        problems.push(`${kind}.${name} has no description`);
      }
      if (kind === 'inputs' && spec?.required !== undefined && typeof spec.required !== 'boolean') {
        problems.push(`inputs.${name}.required is ${JSON.stringify(spec.required)}, not true or false`);
      }
    }
  }
  if (problems.length > 0) throw new DocsError(`${path}:\n  ${problems.join('\n  ')}`);
  return doc;
}

/** One Markdown table cell: one line, pipes escaped. */
function cell(text) {
  return String(text)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function code(text) {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function inputsTable(action) {
  const rows = Object.entries(action.inputs).map(([name, spec]) => {
    const dflt = spec.default === undefined || spec.default === '' ? '' : code(String(spec.default));
    return `| ${code(name)} | ${spec.required ? 'yes' : 'no'} | ${cell(dflt)} | ${cell(spec.description)} |`;
  });
  return ['| Name | Required | Default | Description |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}

function outputsTable(action) {
  const rows = Object.entries(action.outputs).map(
    ([name, spec]) => `| ${code(name)} | ${cell(spec.description)} |`,
  );
  return ['| Name | Description |', '|---|---|', ...rows].join('\n') + '\n';
}

// ---------------------------------------------------------------- compat table from TypeScript

/**
 * Loads compatibilityTableMarkdown() from src/hail/compat.ts with a tiny build: the module and
 * the relative modules it imports are transpiled (types stripped, nothing bundled) into
 * node_modules/.cache and imported from there. Undefined when the module or the export is absent.
 */
async function loadCompatTable() {
  if (!existsSync(COMPAT_SOURCE)) return undefined;
  const { default: ts } = await import('typescript');
  const outDir = join(ROOT, 'node_modules/.cache/hail-emr-docs', String(process.pid));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  try {
    const pending = [COMPAT_SOURCE];
    const done = new Set();
    while (pending.length > 0) {
      const source = pending.pop();
      if (done.has(source)) continue;
      done.add(source);
      const text = readFileSync(source, 'utf8');
      for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const dep = resolve(dirname(source), fileName.replace(/\.js$/, '.ts'));
        if (existsSync(dep)) pending.push(dep);
      }
      const { outputText } = ts.transpileModule(text, {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: false,
        },
        fileName: source,
      });
      const out = join(outDir, relative(ROOT, source).replace(/\.ts$/, '.js'));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, outputText);
    }
    const mod = await import(pathToFileURL(join(outDir, 'src/hail/compat.js')).href);
    if (typeof mod.compatibilityTableMarkdown !== 'function') return undefined;
    return String(mod.compatibilityTableMarkdown()).replace(/\n*$/, '\n');
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    try {
      rmdirSync(dirname(outDir)); // only when no other run is using it
    } catch {
      // not empty: another run's directory is still there
    }
  }
}

// ---------------------------------------------------------------- blocks

const FENCE_LANGUAGE = { '.json': 'json', '.yml': 'yaml', '.yaml': 'yaml', '.py': 'python', '.sh': 'sh' };

function fileBlock(path) {
  const abs = resolve(ROOT, path);
  if (relative(ROOT, abs).startsWith('..') || !existsSync(abs)) {
    throw new DocsError(`README.md includes ${path}, which is not a file in this repository`);
  }
  const text = readFileSync(abs, 'utf8').replace(/\n*$/, '\n');
  return '```' + (FENCE_LANGUAGE[extname(path)] ?? '') + '\n' + text + '```\n';
}

const BLOCK = /<!-- ((?:inputs|outputs|compat)|file:[^\s>]+):start -->\n([\s\S]*?)<!-- \1:end -->/g;

function note(name) {
  const source = name.startsWith('file:')
    ? name.slice(5)
    : name === 'compat'
      ? 'src/hail/compat.ts'
      : 'action.yml';
  return `<!-- generated from ${source} by scripts/docs.mjs: edit the source, then run npm run docs -->\n`;
}

/** Returns the README with every block regenerated, and what was regenerated or skipped. */
async function render(readme, action) {
  for (const required of ['inputs', 'outputs']) {
    if (!readme.includes(`<!-- ${required}:start -->`) || !readme.includes(`<!-- ${required}:end -->`)) {
      throw new DocsError(`README.md has no <!-- ${required}:start --> … <!-- ${required}:end --> block`);
    }
  }
  const wanted = new Map();
  const skipped = [];
  for (const [, name] of readme.matchAll(BLOCK)) {
    if (wanted.has(name)) continue;
    if (name === 'inputs') wanted.set(name, inputsTable(action));
    else if (name === 'outputs') wanted.set(name, outputsTable(action));
    else if (name === 'compat') {
      const table = await loadCompatTable();
      if (table === undefined)
        skipped.push('compat (src/hail/compat.ts has no compatibilityTableMarkdown())');
      else wanted.set(name, table);
    } else wanted.set(name, fileBlock(name.slice(5)));
  }
  const text = readme.replace(BLOCK, (whole, name) =>
    wanted.has(name) ? `<!-- ${name}:start -->\n${note(name)}${wanted.get(name)}<!-- ${name}:end -->` : whole,
  );
  return { text, blocks: [...wanted.keys()], skipped };
}

/** The blocks whose text differs, each with its first differing line. */
function differences(actual, expected) {
  const blocksOf = (text) => new Map([...text.matchAll(BLOCK)].map(([, name, body]) => [name, body]));
  const a = blocksOf(actual);
  const e = blocksOf(expected);
  const out = [];
  for (const [name, want] of e) {
    const have = a.get(name) ?? '';
    if (have === want) continue;
    const haveLines = have.split('\n');
    const wantLines = want.split('\n');
    const i = wantLines.findIndex((line, n) => line !== haveLines[n]);
    const at = i === -1 ? haveLines.length - 1 : i;
    out.push(
      `the ${name} block differs from its source at line ${at + 1} of the block:\n` +
        `      README:   ${haveLines[at] ?? '(missing)'}\n` +
        `      expected: ${wantLines[at] ?? '(nothing: README has extra lines)'}`,
    );
  }
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const readmeName = relative(process.cwd(), opts.readme) || opts.readme;
  if (!existsSync(opts.readme)) throw new DocsError(`${readmeName} does not exist`);
  const readme = readFileSync(opts.readme, 'utf8');
  const action = readActionYml(opts.action);
  const { text, blocks, skipped } = await render(readme, action);
  for (const s of skipped) console.warn(`docs: skipped ${s}; its README block is left as it is`);

  if (opts.check) {
    if (text === readme) {
      console.log(`docs: ${readmeName} is up to date (${blocks.join(', ')})`);
      return 0;
    }
    const diffs = differences(readme, text);
    console.error(
      `docs: ${readmeName} is out of date with its sources (action.yml and the files it includes):\n` +
        diffs.map((d) => `  - ${d}`).join('\n') +
        `\nTo fix it, ${REGENERATE}.`,
    );
    return 1;
  }
  if (text === readme) {
    console.log(`docs: ${readmeName} already up to date (${blocks.join(', ')})`);
  } else {
    writeFileSync(opts.readme, text);
    console.log(`docs: rewrote ${blocks.join(', ')} in ${readmeName}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof DocsError ? `docs: ${err.message}` : err);
    process.exitCode = err instanceof DocsError ? 1 : 2;
  },
);
