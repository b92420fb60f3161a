import { readFileSync } from 'node:fs';

/**
 * Checks a request we build against the constraint part of an AWS service's own API model (see
 * test/fixtures/aws/extract-model.py): unknown members, required members, types, enums, min/max and
 * patterns. What the model cannot say (rules across fields) the tests state beside it.
 */
interface Shape {
  type: string;
  min?: number;
  max?: number;
  enum?: string[];
  pattern?: string;
  required?: string[];
  members?: Record<string, string>;
  member?: string;
  key?: string;
  value?: string;
}

export interface ServiceModel {
  operation: string;
  root: string;
  shapes: Record<string, Shape>;
}

export function loadModel(file: string): ServiceModel {
  return JSON.parse(
    readFileSync(new URL(`../fixtures/aws/${file}`, import.meta.url), 'utf8'),
  ) as ServiceModel;
}

export function modelProblems(model: ServiceModel, value: unknown, shape = model.root, path = '$'): string[] {
  const s = model.shapes[shape];
  if (!s) return [`${path}: shape ${shape} is not in the model`];
  const out: string[] = [];
  const range = (n: number, what: string) => {
    if (s.min !== undefined && n < s.min) out.push(`${path}: ${what} ${n} is below the minimum ${s.min}`);
    if (s.max !== undefined && n > s.max) out.push(`${path}: ${what} ${n} is above the maximum ${s.max}`);
  };
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return [`${path}: not an object`];
      const obj = value as Record<string, unknown>;
      for (const r of s.required ?? []) if (obj[r] === undefined) out.push(`${path}.${r}: required`);
      for (const [k, v] of Object.entries(obj)) {
        if (v === undefined) continue;
        const child = s.members?.[k];
        if (!child) out.push(`${path}.${k}: not a member of ${shape}`);
        else out.push(...modelProblems(model, v, child, `${path}.${k}`));
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) return [`${path}: not a list`];
      range(value.length, 'length');
      value.forEach((v, i) => out.push(...modelProblems(model, v, s.member!, `${path}[${i}]`)));
      return out;
    case 'map':
      if (typeof value !== 'object' || value === null) return [`${path}: not a map`];
      for (const [k, v] of Object.entries(value)) {
        out.push(...modelProblems(model, k, s.key!, `${path}{key}`));
        out.push(...modelProblems(model, v, s.value!, `${path}.${k}`));
      }
      return out;
    case 'string':
      if (typeof value !== 'string') return [`${path}: not a string`];
      if (s.enum && !s.enum.includes(value))
        out.push(`${path}: "${value}" is not one of ${s.enum.join(', ')}`);
      if (s.pattern && !new RegExp(s.pattern, 'u').test(value))
        out.push(`${path}: "${value}" does not match ${s.pattern}`);
      range(value.length, 'length');
      return out;
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) return [`${path}: ${String(value)} is not an integer`];
      range(value as number, 'value');
      return out;
    case 'double':
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) return [`${path}: not a number`];
      range(value, 'value');
      return out;
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: not a boolean`];
    default:
      return [`${path}: shape type ${s.type} is not checked`];
  }
}
