/**
 * The filter graph as data: chains of filters between labelled pads, printed once. Every value is escaped
 * here and nowhere else, so user text and paths can never break out of their option.
 */
export type ArgValue = string | number;
export interface FilterNode {
  name: string;
  /** Named options (printed `k=v:k=v`) or positional ones (printed `v:v`). */
  args?: Readonly<Record<string, ArgValue | undefined>> | readonly ArgValue[];
}
export interface Chain {
  inputs: readonly string[];
  filters: readonly FilterNode[];
  outputs: readonly string[];
}

export const filter = (name: string, args?: FilterNode['args']): FilterNode =>
  args ? { name, args } : { name };

/** First level: the option parser splits on ':' and honours quotes and backslashes. */
export function escapeOptionValue(value: ArgValue): string {
  const s = typeof value === 'number' ? formatNumber(value) : value;
  if (s === '') return "''";
  if (!/[:'\\]/.test(s) && s.trim() === s) return s;
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** Second level: the graph parser splits on `[ ] , ;` and also honours quotes and backslashes. */
export function escapeGraphToken(s: string): string {
  return s.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** Numbers print without exponent notation and without float noise such as 0.30000000000000004. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  if (Number.isInteger(n)) return BigInt(n).toString();
  const fixed = n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return fixed === '-0' ? '0' : fixed;
}

export function printFilter(f: FilterNode): string {
  if (!f.args) return f.name;
  const parts = Array.isArray(f.args)
    ? (f.args as readonly ArgValue[]).map(escapeOptionValue)
    : Object.entries(f.args as Record<string, ArgValue | undefined>)
        .filter((e): e is [string, ArgValue] => e[1] !== undefined)
        .map(([k, v]) => `${k}=${escapeOptionValue(v)}`);
  return parts.length ? `${f.name}=${escapeGraphToken(parts.join(':'))}` : f.name;
}

export class FilterGraph {
  private readonly chains: Chain[] = [];
  private counter = 0;

  /** A fresh pad label, unique in this graph. */
  pad(prefix = 'p'): string {
    return `${prefix}${this.counter++}`;
  }

  /** Adds a chain; returns its single output label (made up when not given). */
  chain(inputs: string | readonly string[], filters: readonly FilterNode[], output?: string): string {
    const out = output ?? this.pad();
    this.chains.push({ inputs: typeof inputs === 'string' ? [inputs] : inputs, filters, outputs: [out] });
    return out;
  }

  /** A chain with several outputs (split, asplit). */
  chainMany(
    inputs: string | readonly string[],
    filters: readonly FilterNode[],
    outputs: readonly string[],
  ): void {
    this.chains.push({ inputs: typeof inputs === 'string' ? [inputs] : inputs, filters, outputs });
  }

  get size(): number {
    return this.chains.length;
  }

  toString(): string {
    return this.chains
      .map((c) => {
        if (!c.filters.length)
          throw new Error(`chain ${c.inputs.join(',')} → ${c.outputs.join(',')} has no filters`);
        const body = c.filters.map(printFilter).join(',');
        return `${c.inputs.map((l) => `[${l}]`).join('')}${body}${c.outputs.map((l) => `[${l}]`).join('')}`;
      })
      .join(';\n');
  }
}
