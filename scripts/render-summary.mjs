// `node scripts/render-summary.mjs <summary.md> <out.png> [--open] [--breaks] [--width N] [--html <out.html>]`
//
// Shows a job summary (or a PR comment) the way a person sees it on GitHub: the GitHub-flavoured
// Markdown + HTML is turned into HTML with `marked`, styled roughly like GitHub's markdown body,
// and photographed by headless Chromium, cropped to the page's height.
//   --open    expand the <details> blocks (GitHub shows them closed; open, the log tails show too)
//   --breaks  newlines become <br>, as in comments (a job summary renders like a Markdown file)
//   --width   the page width in CSS pixels (default 1000)
//   --html    also keep the HTML page that was photographed
// ```mermaid blocks are drawn with the `mermaid` package (a dev dependency), as GitHub draws them.
// Needs `marked` (a dev dependency) and Chromium (`apt-get install chromium`, and
// `fonts-noto-color-emoji` for the status emoji; CHROMIUM=<path> chooses another binary).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const MAX_HEIGHT = 16_000;

// Roughly GitHub's `.markdown-body` (Primer, light theme), inside a job-summary-like card.
const CSS = `
  body { margin: 0; background: #f6f8fa; }
  .card { margin: 16px; padding: 24px 32px; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; }
  .markdown-body { color: #1f2328; font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans",
    Helvetica, Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; word-wrap: break-word; }
  .markdown-body > :first-child { margin-top: 0 !important; }
  .markdown-body h1, .markdown-body h2, .markdown-body h3 { margin: 24px 0 16px; font-weight: 600; line-height: 1.25; }
  .markdown-body h2 { font-size: 1.5em; padding-bottom: .3em; border-bottom: 1px solid #d8dee4; }
  .markdown-body h3 { font-size: 1.25em; }
  .markdown-body p, .markdown-body ul, .markdown-body ol, .markdown-body table, .markdown-body pre,
  .markdown-body details { margin: 0 0 16px; }
  .markdown-body ul, .markdown-body ol { padding-left: 2em; }
  .markdown-body li + li { margin-top: .25em; }
  .markdown-body a { color: #0969da; text-decoration: none; }
  .markdown-body code { padding: .2em .4em; font-size: 85%; white-space: break-spaces;
    background: rgba(175, 184, 193, .2); border-radius: 6px; }
  .markdown-body code, .markdown-body pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas,
    "Liberation Mono", "DejaVu Sans Mono", monospace; }
  .markdown-body pre { padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; background: #f6f8fa;
    border-radius: 6px; }
  .markdown-body pre code { padding: 0; background: transparent; font-size: 100%; white-space: pre; }
  .markdown-body table { display: block; width: max-content; max-width: 100%; overflow: auto;
    border-spacing: 0; border-collapse: collapse; font-variant: tabular-nums; }
  .markdown-body th { font-weight: 600; }
  .markdown-body th, .markdown-body td { padding: 6px 13px; border: 1px solid #d0d7de; }
  .markdown-body tr { background: #fff; border-top: 1px solid #d1d9e0; }
  .markdown-body tr:nth-child(2n) { background: #f6f8fa; }
  .markdown-body summary { cursor: pointer; display: list-item; }
  .markdown-body details > :not(summary) { margin-top: 8px; }
  .markdown-body hr { height: .25em; margin: 24px 0; background: #d0d7de; border: 0; }
`;

// Run once the page is laid out (pass 1 reads it back with --dump-dom): the height to photograph.
const MEASURE = `document.documentElement.setAttribute('data-height',
  String(Math.ceil(document.documentElement.getBoundingClientRect().height)));`;

const USAGE =
  'usage: node scripts/render-summary.mjs <summary.md> <out.png> [--open] [--breaks] [--width N] [--html F]';

function usage(message) {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

/** Markdown (GFM, raw HTML kept) to HTML with marked; a clear message when it is not installed. */
export async function markdownToHtml(markdown, { breaks = false } = {}) {
  let marked;
  try {
    ({ marked } = await import('marked'));
  } catch {
    throw new Error('the `marked` package is not installed: npm install --save-dev marked');
  }
  return marked.parse(markdown, { gfm: true, breaks, async: false });
}

/**
 * The whole page. A Content-Security-Policy lets only the measuring script run (by its hash) and
 * loads nothing from the network, so a summary's own markup can neither run code nor fetch.
 */
export function pageHtml(bodyHtml, { open = false, title = 'Job summary', mermaidJs } = {}) {
  const opened = open ? bodyHtml.replace(/<details(?![^>]*\sopen)/g, '<details open') : bodyHtml;
  // GitHub draws ```mermaid blocks; marked leaves them as code, so they become mermaid's <pre>.
  const body = opened.replace(
    /<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g,
    '<pre class="mermaid">$1</pre>',
  );
  const hasMermaid = body !== opened;
  if (hasMermaid && !mermaidJs) throw new Error('the summary has Mermaid charts: pass mermaidJs');
  // With charts, the page is measured once mermaid has drawn them.
  const run = hasMermaid
    ? `mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
mermaid.run().then(() => { ${MEASURE} }, (e) => { document.documentElement.setAttribute('data-mermaid-error', String(e)); ${MEASURE} });`
    : MEASURE;
  const scripts = hasMermaid ? [mermaidJs, run] : [run];
  const hashes = scripts.map((s) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`).join(' ');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; script-src ${hashes}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${title.replace(/[<>&"]/g, '')}</title>
<style>${CSS}</style>
</head>
<body>
<div class="card"><article class="markdown-body">
${body}
</article></div>
${scripts.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}

export function findChromium() {
  const candidates = [process.env.CHROMIUM, 'chromium', 'chromium-browser', 'google-chrome'].filter(Boolean);
  for (const c of candidates) {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error('Chromium is not installed (apt-get install chromium), or set CHROMIUM=<path>');
}

function chromiumArgs(profile) {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    // Lets asynchronous drawing (mermaid) finish before the DOM is dumped or the shot is taken.
    '--virtual-time-budget=15000',
    `--user-data-dir=${profile}`,
  ];
}

/** Photographs an HTML file: pass 1 measures the page's height, pass 2 takes a shot that tall. */
export function screenshot(htmlPath, pngPath, { width = 1000, chromium = findChromium() } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'render-summary-'));
  const url = pathToFileURL(resolve(htmlPath)).href;
  try {
    const dom = execFileSync(
      chromium,
      [...chromiumArgs(profile), `--window-size=${width},800`, '--dump-dom', url],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
    );
    const failed = /data-mermaid-error="([^"]*)"/.exec(dom);
    if (failed) throw new Error(`mermaid could not draw a chart: ${failed[1]}`);
    const measured = Number(/data-height="(\d+)"/.exec(dom)?.[1]);
    const height = Math.min(MAX_HEIGHT, Number.isFinite(measured) && measured > 0 ? measured : 2400);
    execFileSync(
      chromium,
      [...chromiumArgs(profile), `--window-size=${width},${height}`, `--screenshot=${resolve(pngPath)}`, url],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 },
    );
    if (!existsSync(pngPath)) throw new Error(`Chromium wrote no screenshot to ${pngPath}`);
    return { width, height, truncated: measured > MAX_HEIGHT };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** mermaid's browser bundle, read from node_modules (never fetched). */
async function readMermaid() {
  try {
    const { createRequire } = await import('node:module');
    const path = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    return readFileSync(path, 'utf8');
  } catch {
    throw new Error('the `mermaid` package is not installed: npm install --save-dev mermaid');
  }
}

/** Flags, the value of `--width` and `--html`, and the two paths. */
function parseArgs(argv) {
  const o = { open: false, breaks: false, width: 1000, html: undefined, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--open') o.open = true;
    else if (a === '--breaks') o.breaks = true;
    else if (a === '--width') o.width = Number(argv[++i]);
    else if (a === '--html') o.html = argv[++i];
    else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else o.paths.push(a);
  }
  if (o.paths.length !== 2) usage('expected a summary file and a PNG path');
  if (!Number.isInteger(o.width) || o.width < 320 || o.width > 4000) usage('--width must be 320..4000');
  if (!o.paths[1].endsWith('.png')) usage(`${o.paths[1]} is not a .png path`);
  if (o.html === '') usage('--html needs a path');
  return o;
}

async function main(argv) {
  const o = parseArgs(argv);
  const [input, output] = o.paths;
  const markdown = readFileSync(input, 'utf8');
  const mermaidJs = markdown.includes('```mermaid') ? await readMermaid() : undefined;
  const html = pageHtml(await markdownToHtml(markdown, { breaks: o.breaks }), {
    open: o.open,
    title: input,
    mermaidJs,
  });
  const dir = mkdtempSync(join(tmpdir(), 'render-summary-page-'));
  try {
    const htmlPath = o.html ?? join(dir, 'summary.html');
    writeFileSync(htmlPath, html);
    const shot = screenshot(htmlPath, output, { width: o.width });
    const cut = shot.truncated ? ` (cut at ${MAX_HEIGHT} px)` : '';
    console.log(`${output}: ${shot.width}x${shot.height}${cut}, from ${input}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`render-summary: ${err.message}`);
    process.exit(1);
  });
}
