/**
 * A process that runs without the platform (`cutline render`): whatever still reaches for it (a stored
 * transcript, a metered call) fails with this error, which names what to use instead, not a missing setting.
 * `undefined` lets the platform be built again. A leaf, so the CLI says so without loading the AWS clients
 * (and the observability they bring) at every start.
 */
let reason: (() => Error) | undefined;

export function withoutPlatform(why: (() => Error) | undefined): void {
  reason = why;
}

/** Why there is no platform in this process, if it runs without one. */
export const platformUnavailable = (): (() => Error) | undefined => reason;
