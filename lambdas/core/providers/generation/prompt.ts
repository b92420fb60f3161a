import { createHash } from 'node:crypto';

/** Pure: a scene's or asset's words with the project's subject, so every scene describes the same one. */
export function withSubject(prompt: string, subject?: string): string {
  const p = prompt.trim();
  if (!subject?.trim()) return p;
  return `${p.replace(/[\s.]+$/, '')}. Subject: ${subject.trim()}`;
}

/** Pure: the seed every generation of one project (or job) shares, from its subject or prompt (0–2147483646). */
export function continuitySeed(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % 2_147_483_647;
}
