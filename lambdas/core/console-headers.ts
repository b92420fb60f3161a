/**
 * The web console's security headers, one definition for the local platform (local/console.ts) and the
 * CloudFront distribution (lib/console.ts). Scripts and styles come only from the console itself; media
 * and API calls go to presigned URLs and the API, which may live on other origins.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http: https:; media-src 'self' blob: http: https:; connect-src 'self' http: https:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const CONSOLE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': CONSOLE_CSP,
};
