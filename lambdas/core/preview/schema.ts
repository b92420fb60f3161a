import { z } from 'zod';
import { MAX_PREVIEW_WIDTH } from './preview-edit.js';

/** POST /v1/preview: an edit (checked as a submit checks it) and the time to draw. */
export const PreviewRequest = z.strictObject({
  edit: z.record(z.string(), z.unknown(), { error: 'edit must be an edit object (timeline, output)' }),
  at: z.number().min(0, 'at must be 0 or more seconds').max(86_400, 'at must be within a day'),
  width: z
    .number()
    .int('width must be a whole number of pixels')
    .min(64, 'width must be at least 64')
    .max(MAX_PREVIEW_WIDTH, `width must be at most ${MAX_PREVIEW_WIDTH}`)
    .optional(),
});
export type PreviewRequest = z.infer<typeof PreviewRequest>;
