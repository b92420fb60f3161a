/**
 * AWS Step Functions quotas the pipeline is designed within (Standard workflows, as documented by AWS).
 * The local runner (local/stepfunctions.ts) enforces the same numbers, so a design that would break in
 * AWS breaks on a laptop first; the planner sizes concurrency with the same ceilings.
 */
export const SFN_QUOTAS = Object.freeze({
  /** Largest state input, output or task result: 256 KiB of UTF-8 (→ States.DataLimitExceeded). */
  payloadBytes: 256 * 1024,
  /** An inline Map runs at most 40 iterations at once, whatever its MaxConcurrency says (0 = 40). */
  inlineMapConcurrency: 40,
  /** A Distributed Map runs at most 10,000 child executions at once (MaxConcurrency 0 = 10,000). */
  distributedMapConcurrency: 10_000,
  /** Events in one execution's history; a Distributed Map's children each have their own. */
  historyEvents: 25_000,
  /** Lambda's ceiling on one invocation, and so on a lambda:invoke task's useful timeout. */
  lambdaSeconds: 900,
});
