// Text made inert reaches the runner as text: checked with the runner's own parsing rules
// (test/fixtures/action-runner.mjs re-implements them), not with the function's own idea of them.
import { describe, expect, it } from '@jest/globals';
import { runnerView } from '../../fixtures/action-runner.mjs';
import { inertLine, inertText, stopCommandsBlock } from '../../../src/util/workflow-commands.js';

const HOSTILE = [
  '::add-mask::x',
  '::ADD-MASK::x',
  '   ::warning::x',
  '\t::error file=a.py,line=1::x',
  '\u00a0::notice::x', // no-break space: .NET trims it
  '\u0085::debug::x', // NEL: .NET trims it
  '\u3000::set-output name=a::x',
  'text ##[add-mask]x',
  '##[set-output name=a;]x',
  '::stop-commands::x',
  '::group::x',
];

describe('inertText', () => {
  it.each(HOSTILE)('leaves nothing for the runner to act on in %j', (line) => {
    expect(runnerView(line).commands).toHaveLength(1); // as written, the runner acts on it
    expect(runnerView(inertText(line) + '\n').commands).toEqual([]);
  });

  it('makes each line inert, whatever ends it (CR, LF, CRLF)', () => {
    const text = `state FAILED · ValueError: boom\r::add-mask::a\n::warning::b\r\n##[error]c\u2028::notice::d`;
    expect(runnerView(text).commands.map((c) => c.command)).toEqual(['add-mask', 'warning', 'error']);
    const view = runnerView(inertText(text));
    expect(view.commands).toEqual([]);
    expect(view.lines.map((l) => l.replace(/\u200b/g, ''))).toEqual([
      'state FAILED · ValueError: boom',
      '::add-mask::a',
      '::warning::b',
      '##[error]c\u2028::notice::d',
    ]);
  });

  it('leaves ordinary text alone', () => {
    for (const line of [
      'Job run 00f: RUNNING -> SUCCESS after 3.0 s',
      's3://b/k',
      'a :: b',
      'C:: x',
      '#[x]',
    ]) {
      expect(inertLine(line)).toBe(line);
    }
  });
});

describe('stopCommandsBlock', () => {
  it('shows every line as it is and acts on none of them', () => {
    const lines = ['::add-mask::x', '::warning::y', '::stop-commands::z', '##[error]e', '::z::'];
    const view = runnerView(stopCommandsBlock(lines, 'tok-123').join('\n') + '\nafter\n::warning::real');
    expect(view.commands.map((c) => c.command)).toEqual(['stop-commands', 'warning']);
    expect(view.commands.at(-1)!.data).toBe('real'); // commands work again after the block
    expect(view.lines).toEqual(expect.arrayContaining(lines));
  });
});
