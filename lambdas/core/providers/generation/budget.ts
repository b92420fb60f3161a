import { ENV } from '../../config.js';
import { CutlineError } from '../../errors.js';
import { PROVIDER_PRICES } from '../cost.js';
import { reelSeconds } from './nova-reel.js';
import { generationSettings, type GeneratorName } from './settings.js';

/** One generation a job plans, as the cost estimate sees it. */
export interface PlannedGeneration {
  kind: 'video' | 'image';
  durationSeconds: number;
  /** A clip with character references and no first frame: Nova Canvas makes the first frame. */
  referenceFrame: boolean;
  /** Its JSON path, named when it is the one that passes the cap. */
  at: string;
}

/** Pure: the estimated USD of one planned generation on a generator (list prices in cost.ts). */
export function plannedUsd(g: PlannedGeneration, generator: GeneratorName): number {
  if (generator !== 'bedrock') return 0;
  if (g.kind === 'image') return PROVIDER_PRICES['nova-canvas'].usd;
  return (
    reelSeconds(g.durationSeconds) * PROVIDER_PRICES['nova-reel'].usd +
    (g.referenceFrame ? PROVIDER_PRICES['nova-canvas'].usd : 0)
  );
}

const usd = (v: number) => `$${v.toFixed(2)}`;

/**
 * Refuses (LIMIT_EXCEEDED, before anything starts) a job whose planned generations are estimated above
 * the per-job cap. Retries of a failed generation are bounded by GENERATION_RETRIES, not by this.
 */
export function assertGenerationBudget(
  planned: readonly PlannedGeneration[],
  s: { generator: GeneratorName; maxUsd: number } = generationSettings(),
): void {
  let total = 0;
  let over: PlannedGeneration | undefined;
  for (const g of planned) {
    total += plannedUsd(g, s.generator);
    if (!over && total > s.maxUsd + 1e-9) over = g;
  }
  if (!over) return;
  const message = `the job's planned generations are estimated at ${usd(total)}, over the per-job cap of ${usd(s.maxUsd)}: generate fewer or shorter scenes, or raise the cap (${ENV.GENERATION_MAX_USD}; in the stack, ai.generation.maxUsdPerJob)`;
  throw new CutlineError('LIMIT_EXCEEDED', `${over.at}: ${message}`, [{ path: over.at, message }]);
}
