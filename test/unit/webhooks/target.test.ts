import { describe, expect, it } from 'vitest';
import {
  assertWebhookUrl,
  vetWebhookTarget,
  webhookPolicyFromEnv,
  webhookUrlProblem,
  WebhookRefusedError,
} from '../../../lambdas/core/webhooks/target.js';

const strict = { allowLoopback: false };
const dev = { allowLoopback: true };

/** Loopback in every notation the URL parser accepts: all normalize to 127.0.0.1 or ::1. */
const LOOPBACK = [
  'http://127.0.0.1/hook',
  'http://127.1/hook',
  'http://127.0.0.53:8080/',
  'http://0x7f.0.0.1/',
  'http://0x7f000001/',
  'http://2130706433/',
  'http://017700000001/',
  'http://0177.0.0.1/',
  'http://[::1]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'https://[0000::0001]:8443/x',
  'http://127.0.0.1./',
  'http://0x7f.0x0.0x0.0x1/',
  'http://127.000.000.001/',
  'http://0177.1/',
  'http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/', // full-width digits, mapped by IDNA
];

/** Never open, not even with the development opt-in. */
const ALWAYS_REFUSED = [
  ['http://[::ffff:127.0.0.1]/', 'ipv4-mapped'],
  ['http://[::ffff:7f00:1]/', 'ipv4-mapped'],
  ['http://169.254.169.254/latest/meta-data/', 'link-local'],
  ['http://[fd00:ec2::254]/', 'unique-local'],
  ['http://10.0.0.8/', 'private'],
  ['http://0xa000008/', 'private'],
  ['http://172.16.3.4/', 'private'],
  ['http://192.168.1.1/', 'private'],
  ['http://100.64.0.1/', 'carrier-grade-nat'],
  ['http://0.0.0.0/', 'this-network'],
  ['http://0/', 'this-network'],
  ['http://[fe80::1]/', 'link-local'],
  ['http://[::]/', 'unspecified'],
  ['http://224.0.0.1/', 'multicast'],
  ['http://[::127.0.0.1]/', 'ipv4-compatible'],
  ['http://[::ffff:0:127.0.0.1]/', 'ipv4-translated'],
  ['http://[64:ff9b::127.0.0.1]/', 'nat64'],
  ['http://[2002:7f00:1::]/', '6to4'],
] as const;

describe('webhook URLs at submit (no network)', () => {
  it.each(LOOPBACK)('refuses loopback %s by default, allows it with the opt-in', (url) => {
    expect(webhookUrlProblem(url, strict)).toMatch(/^127\.0\.0\.\d+ is loopback|^::1 is loopback/);
    expect(webhookUrlProblem(url, strict)).toMatch(/CUTLINE_WEBHOOK_ALLOW_LOOPBACK=true/);
    expect(webhookUrlProblem(url, dev)).toBeUndefined();
  });

  it.each(ALWAYS_REFUSED)('refuses %s (%s) even with the opt-in', (url, reason) => {
    for (const policy of [strict, dev]) expect(webhookUrlProblem(url, policy)).toContain(`is ${reason}`);
  });

  it('refuses other schemes, credentials and non-URLs; accepts public http(s) and names', () => {
    expect(webhookUrlProblem('ftp://example.com/x', strict)).toBe('must be http(s), not ftp');
    expect(webhookUrlProblem('file:///etc/passwd', dev)).toBe('must be http(s), not file');
    expect(webhookUrlProblem('javascript:alert(1)', dev)).toBe('must be http(s), not javascript');
    expect(webhookUrlProblem('not a url', strict)).toBe('not a URL');
    expect(webhookUrlProblem('https://user:pw@example.com/', strict)).toBe(
      'credentials in the URL are refused',
    );
    expect(webhookUrlProblem('https://token@example.com/', strict)).toBe(
      'credentials in the URL are refused',
    );
    for (const ok of [
      'https://hooks.example.com/a?b=1',
      'http://8.8.8.8/',
      'https://[2606:4700::1111]/',
      'http://localhost/',
    ])
      expect(webhookUrlProblem(ok, strict)).toBeUndefined();
  });

  it('assertWebhookUrl is a VALIDATION_FAILED with the path; the opt-in is off unless exactly "true"', () => {
    expect(() => assertWebhookUrl('http://0x7f000001/', 'callback', strict)).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'callback', message: expect.stringMatching(/loopback/) }],
      }),
    );
    expect(webhookPolicyFromEnv({})).toEqual({ allowLoopback: false });
    expect(webhookPolicyFromEnv({ CUTLINE_WEBHOOK_ALLOW_LOOPBACK: '1' })).toEqual({ allowLoopback: false });
    expect(webhookPolicyFromEnv({ CUTLINE_WEBHOOK_ALLOW_LOOPBACK: 'true' })).toEqual({ allowLoopback: true });
  });
});

describe('webhook targets at delivery (names resolved once)', () => {
  const answers =
    (...list: string[]) =>
    async () =>
      list.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));

  it('refuses a name if any answer is refused, permanently (WebhookRefusedError)', async () => {
    for (const r of [
      answers('127.0.0.1'),
      answers('93.184.215.14', '10.1.2.3'),
      answers('::ffff:169.254.169.254'),
    ])
      await expect(vetWebhookTarget('https://hooks.example.test/x', strict, r)).rejects.toBeInstanceOf(
        WebhookRefusedError,
      );
    await expect(vetWebhookTarget('http://localhost/', strict, answers('127.0.0.1', '::1'))).rejects.toThrow(
      /^localhost resolves to 127\.0\.0\.1 is loopback/,
    );
  });

  it('returns the vetted address to connect to; a failed lookup is retryable (a plain Error)', async () => {
    let lookups = 0;
    const r = async () => {
      lookups++;
      return [{ address: '93.184.215.14', family: 4 as const }];
    };
    expect(await vetWebhookTarget('https://hooks.example.test/x', strict, r)).toMatchObject({
      address: { address: '93.184.215.14', family: 4 },
    });
    expect(lookups).toBe(1);
    expect((await vetWebhookTarget('http://localhost:9/', dev, answers('127.0.0.1'))).address.address).toBe(
      '127.0.0.1',
    );
    const failed = await vetWebhookTarget('https://nx.example.test/', strict, async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(Error);
    expect(failed).not.toBeInstanceOf(WebhookRefusedError);
    expect((failed as Error).message).toBe('cannot resolve nx.example.test: ENOTFOUND');
  });
});
