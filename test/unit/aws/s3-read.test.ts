// Gunzipping driver logs: a whole log reads whole; a damaged one yields what decompressed, then
// says why it stopped.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { gunzipKeepingWhatDecompresses } from '../../../src/aws/s3-read.js';

const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${((i * 7919) % 100_003).toString(36)}`);
const text = `${lines.join('\n')}\nValueError: the end\n`;
const gz = gzipSync(text);

/** The body in S3-sized chunks. */
const body = (b: Buffer, size = 16 * 1024) =>
  Readable.from(
    Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size)),
  );

async function read(b: Buffer): Promise<{ text: string; error?: string }> {
  let out = '';
  try {
    for await (const chunk of gunzipKeepingWhatDecompresses(body(b))) out += chunk.toString('utf8');
    return { text: out };
  } catch (err) {
    return { text: out, error: (err as Error).message };
  }
}

describe('gunzipKeepingWhatDecompresses', () => {
  it('reads a whole log whole, without error', async () => {
    expect(gz.length).toBeGreaterThan(64 * 1024); // several writes
    expect(await read(gz)).toEqual({ text });
  });

  it.each([1, 8, 9, 100, 5000])(
    'a log cut %i bytes short keeps what decompressed and says it was cut short',
    async (n) => {
      const r = await read(gz.subarray(0, gz.length - n));
      expect(r.error).toMatch(/cut short/);
      expect(text.startsWith(r.text)).toBe(true);
      if (n <= 8)
        expect(r.text).toBe(text); // only the trailer is missing: every line is there
      else expect(r.text.length).toBeGreaterThan(text.length * 0.5);
    },
  );

  it('a bad checksum loses no text', async () => {
    const bad = Buffer.from(gz);
    bad[bad.length - 6] ^= 0xff;
    expect(await read(bad)).toEqual({ text, error: expect.stringMatching(/incorrect data check/) });
  });

  it('damage in the middle keeps the text before it', async () => {
    const bad = Buffer.from(gz);
    bad.fill(0xff, Math.floor(bad.length / 2), Math.floor(bad.length / 2) + 64);
    const r = await read(bad);
    expect(r.error).toBeTruthy();
    // Inflate may decode some garbage before it notices; what comes before the damage is intact.
    const before = Math.floor(text.length * 0.4);
    expect(r.text.slice(0, before)).toBe(text.slice(0, before));
  });

  it('an empty object is no gzip at all', async () => {
    expect(await read(Buffer.alloc(0))).toEqual({ text: '', error: expect.stringMatching(/cut short/) });
  });
});
