// How a file of a given size goes to S3: one PutObject, or a multipart upload in parts of one size
// (the last one shorter). Pure: S3's limits are the only input besides the size.

/** S3's multipart limits (UploadPart / CompleteMultipartUpload documentation). */
export const S3_LIMITS = {
  minPartSize: 5 * 1024 * 1024, // every part but the last
  maxPartSize: 5 * 1024 ** 3,
  maxParts: 10_000,
  maxPutObjectSize: 5 * 1024 ** 3,
} as const;

export interface Part {
  /** 1-based, as S3 numbers them. */
  number: number;
  offset: number;
  length: number;
}

export type UploadPlan =
  { kind: 'single'; size: number } | { kind: 'multipart'; size: number; partSize: number; parts: Part[] };

const MiB = 1024 * 1024;

/**
 * One PutObject when the file fits in one part; otherwise parts of `partSize`, grown (in whole MiB)
 * only when the file would need more than 10,000 of them.
 */
export function planUpload(size: number, partSize: number): UploadPlan {
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`invalid file size ${size}`);
  if (!Number.isSafeInteger(partSize) || partSize < S3_LIMITS.minPartSize || partSize > S3_LIMITS.maxPartSize)
    throw new Error(`part size ${partSize} is outside S3's limits (5 MiB to 5 GiB)`);
  if (size <= partSize) return { kind: 'single', size };
  const needed = Math.ceil(Math.ceil(size / S3_LIMITS.maxParts) / MiB) * MiB;
  const chosen = Math.max(partSize, needed);
  if (chosen > S3_LIMITS.maxPartSize)
    throw new Error(`a file of ${size} bytes is larger than S3 accepts in ${S3_LIMITS.maxParts} parts`);
  const parts: Part[] = [];
  for (let offset = 0, number = 1; offset < size; offset += chosen, number++)
    parts.push({ number, offset, length: Math.min(chosen, size - offset) });
  return { kind: 'multipart', size, partSize: chosen, parts };
}
