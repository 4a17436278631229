// Validates a request against the service's own model (botocore's, extracted into
// emr-serverless-model.ts) and the rules AWS documents that the model lacks, so a request the
// service would refuse is refused here, before anything is uploaded. Pure: no I/O.

import { EMR_SERVERLESS_MODEL } from './emr-serverless-model.js';
import type { ServiceModel, Shape } from './service-model.js';
import { showValue } from '../util/text.js';

/** One step of a path into a request: a member name, a list index, or a map entry's key. */
export type PathPart = string | number | { mapKey: string };

export interface Violation {
  path: PathPart[];
  message: string;
}

/** `configurationOverrides.applicationConfiguration[0].properties["spark.x"]` */
export function formatPath(path: readonly PathPart[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string') out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p.mapKey)}]`;
  }
  return out;
}

const patternCache = new Map<string, RegExp>();

/**
 * A model pattern as a JavaScript RegExp that matches the whole value. Smithy leaves patterns
 * unanchored, but AWS's API reference prints the same patterns anchored (API_JobRun:
 * `^[0-9a-z]+$`) and the service refuses a tag key with one non-ASCII letter: whole-value
 * matching is both the documented and the stricter reading. Java's `.` also excludes U+0085, which
 * JavaScript's does not: translated, so `.` never accepts more here than in the service. (JavaScript's
 * `\s` is wider than Java's, so `\S` accepts less here: stricter again.)
 */
export function compilePattern(pattern: string): RegExp {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else {
      out += c === '.' ? '[^\\n\\r\\u0085\\u2028\\u2029]' : c;
    }
  }
  const re = new RegExp(`^(?:${out})$`, 'u');
  patternCache.set(pattern, re);
  return re;
}

/** Every violation of `value` against the model's shape `shapeName`, with its path. */
export function validateShape(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  path: PathPart[] = [],
): Violation[] {
  if (value === undefined || value === null) return [];
  const shape = model.shapes[shapeName];
  if (!shape) throw new Error(`internal: shape ${shapeName} is not in the extracted model`);
  const v = (message: string): Violation[] => [{ path, message }];
  switch (shape.type) {
    case 'structure':
      return validateStructure(model, shape, value, path);
    case 'list': {
      if (!Array.isArray(value)) return v('must be a list');
      const out = sizeViolations(shape, value.length, path, 'entries');
      value.forEach((item, i) => out.push(...validateShape(model, shape.member!, item, [...path, i])));
      return out;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return v('must be a map');
      const entries = Object.entries(value as Record<string, unknown>);
      const out = sizeViolations(shape, entries.length, path, 'entries');
      for (const [k, item] of entries) {
        const keyPath = [...path, { mapKey: k }];
        for (const kv of validateShape(model, shape.key!, k, keyPath)) {
          out.push({ path: kv.path, message: `key ${kv.message}` });
        }
        out.push(...validateShape(model, shape.value!, item, keyPath));
      }
      return out;
    }
    case 'string':
      return typeof value === 'string' ? stringViolations(shape, value, path) : v('must be a string');
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return v('must be a whole number');
      const min = shape.min ?? (shape.type === 'integer' ? -(2 ** 31) : Number.MIN_SAFE_INTEGER);
      const max = shape.max ?? (shape.type === 'integer' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER);
      if (value < min || value > max) return v(`is ${value}, outside ${min}..${max}`);
      return [];
    }
    case 'boolean':
      return typeof value === 'boolean' ? [] : v('must be true or false');
    default:
      return [];
  }
}

function validateStructure(model: ServiceModel, shape: Shape, value: unknown, path: PathPart[]): Violation[] {
  if (typeof value !== 'object' || Array.isArray(value)) return [{ path, message: 'must be an object' }];
  const obj = value as Record<string, unknown>;
  const members = shape.members ?? {};
  const out: Violation[] = [];
  for (const name of shape.required ?? []) {
    if (obj[name] === undefined || obj[name] === null)
      out.push({ path: [...path, name], message: 'is required' });
  }
  const given = Object.keys(obj).filter((k) => obj[k] !== undefined && obj[k] !== null);
  for (const k of given) {
    if (!(k in members)) out.push({ path: [...path, k], message: 'is not a member of this request' });
    else out.push(...validateShape(model, members[k]!, obj[k], [...path, k]));
  }
  if (shape.union && given.length !== 1) {
    out.push({ path, message: `must set exactly one of ${Object.keys(members).join(', ')}` });
  }
  return out;
}

function sizeViolations(shape: Shape, n: number, path: PathPart[], unit: string): Violation[] {
  if (shape.min !== undefined && n < shape.min)
    return [{ path, message: `has ${n} ${unit} (at least ${shape.min})` }];
  if (shape.max !== undefined && n > shape.max)
    return [{ path, message: `has ${n} ${unit} (at most ${shape.max})` }];
  return [];
}

function stringViolations(shape: Shape, s: string, path: PathPart[]): Violation[] {
  // Lengths in UTF-16 units, as Java's String.length() counts them: never fewer than code points,
  // so the stricter of the two readings.
  const n = s.length;
  if (shape.min !== undefined && n < shape.min) {
    return [{ path, message: `is ${n} characters long (at least ${shape.min})` }];
  }
  if (shape.max !== undefined && n > shape.max) {
    return [{ path, message: `is ${n} characters long (at most ${shape.max})` }];
  }
  if (shape.enum && !shape.enum.includes(s)) {
    return [{ path, message: `${showValue(s)} is not one of ${shape.enum.join(', ')}` }];
  }
  if (shape.pattern !== undefined && !compilePattern(shape.pattern).test(s)) {
    return [{ path, message: patternMessage(shape.pattern, s) }];
  }
  return [];
}

/** The model's most common pattern, `.*\S.*`, said in words. */
function patternMessage(pattern: string, s: string): string {
  if (pattern === '.*\\S.*') {
    if (s.trim() === '') return 'is empty or blank';
    if (/[\n\r\u0085\u2028\u2029]/u.test(s)) return `${showValue(s)} has a line break`;
  }
  return `${showValue(s)} must match ${pattern}`;
}

// Rules AWS documents that the model does not carry. Each takes the stricter reading where the
// documentation leaves room.
const MAX_TAGS = 50; // "Tagging AWS resources" (AWS General Reference): 50 user tags per resource; the model allows 200.
// EMR Serverless User Guide, "Other considerations", allows 0 (never time out); the project's notes
// (research notes, unconfirmed by a primary source here) say BATCH runs from emr-7.11 take 1..10,080.
// The stricter reading, for every release.
const MAX_BATCH_TIMEOUT_MINUTES = 10_080;
// EMR Serverless User Guide, "Job resiliency": "a maximum of 10 retries" for batch jobs; read as 10
// attempts (the stricter reading).
const MAX_BATCH_ATTEMPTS = 10;

function tagRules(tags: unknown, path: PathPart[]): Violation[] {
  if (!tags || typeof tags !== 'object') return [];
  const keys = Object.keys(tags);
  const out: Violation[] = [];
  if (keys.length > MAX_TAGS)
    out.push({ path, message: `has ${keys.length} tags (at most ${MAX_TAGS} per resource)` });
  for (const k of keys) {
    if (k.toLowerCase().startsWith('aws:')) {
      out.push({
        path: [...path, { mapKey: k }],
        message: `key ${showValue(k)} uses the reserved aws: prefix`,
      });
    }
  }
  return out;
}

interface JobRunLike {
  mode?: string;
  executionTimeoutMinutes?: number;
  retryPolicy?: { maxAttempts?: number };
  tags?: Record<string, string>;
}

function startJobRunRules(r: JobRunLike): Violation[] {
  const out = tagRules(r.tags, ['tags']);
  if ((r.mode ?? 'BATCH') === 'BATCH') {
    const t = r.executionTimeoutMinutes;
    if (t !== undefined && (t < 1 || t > MAX_BATCH_TIMEOUT_MINUTES)) {
      out.push({
        path: ['executionTimeoutMinutes'],
        message: `is ${t}; a BATCH job run takes 1..${MAX_BATCH_TIMEOUT_MINUTES} minutes`,
      });
    }
    const a = r.retryPolicy?.maxAttempts;
    if (a !== undefined && a > MAX_BATCH_ATTEMPTS) {
      out.push({
        path: ['retryPolicy', 'maxAttempts'],
        message: `is ${a}; a BATCH job run takes at most ${MAX_BATCH_ATTEMPTS} attempts`,
      });
    }
  }
  return out;
}

/** Every reason EMR Serverless would refuse this StartJobRun request. */
export function validateStartJobRun(
  request: object,
  model: ServiceModel = EMR_SERVERLESS_MODEL,
): Violation[] {
  return [
    ...validateShape(model, model.operations.StartJobRun!, request),
    ...startJobRunRules(request as JobRunLike),
  ];
}

/** Every reason EMR Serverless would refuse this CreateApplication request. */
export function validateCreateApplication(
  request: object,
  model: ServiceModel = EMR_SERVERLESS_MODEL,
): Violation[] {
  return [
    ...validateShape(model, model.operations.CreateApplication!, request),
    ...tagRules((request as JobRunLike).tags, ['tags']),
  ];
}
