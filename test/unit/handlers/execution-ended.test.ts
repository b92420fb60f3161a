import { describe, expect, it } from 'vitest';
import { endingFor } from '../../../lambdas/triggers/execution-ended.js';

const detail = (status: string, extra: Record<string, string> = {}) => ({
  executionArn: 'arn:aws:states:us-east-1:123456789012:execution:render:job-1',
  name: 'job-1',
  status,
  ...extra,
});

describe('endingFor (the Execution Status Change backstop)', () => {
  it('ABORTED is CANCELLED only when the cancel route asked for it, else FAILED ABORTED', () => {
    expect(endingFor(detail('ABORTED'), { cancelRequestedAt: '2026-01-01T00:00:00Z' })).toEqual({
      status: 'CANCELLED',
    });
    expect(endingFor(detail('ABORTED'), {})).toMatchObject({ status: 'FAILED', error: { code: 'ABORTED' } });
  });

  it('TIMED_OUT is FAILED TIMEOUT naming the stage it was in', () => {
    const e = endingFor(detail('TIMED_OUT'), { stage: 'rendering' });
    expect(e).toMatchObject({ status: 'FAILED', error: { code: 'TIMEOUT' } });
    expect(JSON.stringify(e)).toContain('while rendering');
  });

  it('FAILED keeps the execution error: a platform code as is, anything else as RENDER_FAILED with its name', () => {
    expect(
      endingFor(detail('FAILED', { error: 'States.DataLimitExceeded', cause: 'state too large' }), {
        stage: 'planning',
      }),
    ).toEqual({
      status: 'FAILED',
      error: {
        code: 'RENDER_FAILED',
        message: 'failed while planning: States.DataLimitExceeded: state too large',
      },
    });
    expect(endingFor(detail('FAILED', { error: 'SOURCE_NOT_FOUND', cause: 'gone' }), {})).toEqual({
      status: 'FAILED',
      error: { code: 'SOURCE_NOT_FOUND', message: 'gone' },
    });
  });
});
