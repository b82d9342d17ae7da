import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { SECRET_FIELDS_LIMIT_BYTES } from '../../shared/domain/credential-fields.ts';
import { AppError } from '../../shared/errors/app-error.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

const tenant = 'tenant-hostile-input';

describe('hostile input is refused with a 4xx naming the field, never stored, never a 500', () => {
  let service: LocalService;
  let token: string;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    token = await service.token(tenant);
  });
  afterAll(() => service.stop());

  const credentialCount = async () =>
    (await service.scanTable()).filter((item) => item.entity === 'credential' && item.tenantId === tenant)
      .length;

  it('accepts secret fields up to the limit and refuses beyond it with 413: the stored binding always fits', async () => {
    const oauth2 = (accessToken: string, refreshToken: string) => ({
      componentId: 'oauth2',
      fields: {
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'c',
        clientSecret: 's'.repeat(4096),
        accessToken,
        refreshToken,
      },
    });
    // The secret part's JSON is its keys and quotes plus the three values.
    const overhead = JSON.stringify({ clientSecret: '', accessToken: '', refreshToken: '' }).length + 4096;
    const outcomes: number[] = [];
    for (const extra of [-1, 0, 1, 61, 127, 128, 200]) {
      const total = SECRET_FIELDS_LIMIT_BYTES - overhead + extra;
      const access = 'a'.repeat(32_768);
      const answer = await service.api('POST', '/credentials', {
        token,
        body: oauth2(access, 'r'.repeat(total - access.length)),
      });
      outcomes.push(answer.status);
      expect(answer.status, `${extra} bytes over`).toBe(extra <= 0 ? 201 : 413);
      if (answer.status === 413) expect(answer.body.code).toBe('payload_too_large');
    }
    expect(outcomes).not.toContain(500);
  });

  it('refuses a body that is not UTF-8 (400), storing nothing', async () => {
    const before = await credentialCount();
    const bytes = Buffer.concat([
      Buffer.from('{"componentId":"petstore","name":"caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('","fields":{"apiKey":"k-1"}}'),
    ]);
    const answer = await service.api('POST', '/credentials', { token, rawBody: bytes });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      code: 'malformed_request',
      detail: 'The request body is not valid UTF-8.',
    });
    expect(await credentialCount()).toBe(before);
  });

  it('refuses lone surrogates, NUL and control characters in names and fields, naming the field', async () => {
    const before = await credentialCount();
    const cases: [string, string, string][] = [
      ['{"componentId":"petstore","name":"a\\ud800b","fields":{"apiKey":"k-1"}}', 'name', 'Unicode'],
      ['{"componentId":"petstore","name":"a\\udc00","fields":{"apiKey":"k-1"}}', 'name', 'Unicode'],
      ['{"componentId":"petstore","name":"a\\u0000b","fields":{"apiKey":"k-1"}}', 'name', 'control'],
      ['{"componentId":"petstore","name":"two\\nlines","fields":{"apiKey":"k-1"}}', 'name', 'control'],
      ['{"componentId":"petstore","name":"ok","fields":{"apiKey":"k\\ud83d"}}', 'fields.apiKey', 'Unicode'],
      ['{"componentId":"petstore","name":"ok","fields":{"apiKey":"k\\u0007"}}', 'fields.apiKey', 'control'],
    ];
    for (const [raw, path, word] of cases) {
      const answer = await service.api('POST', '/credentials', { token, rawBody: raw });
      expect(answer.status, raw).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect(answer.body.errors[0].path, raw).toContain(path);
      expect(answer.body.errors[0].message, raw).toContain(word);
      // The value is never echoed.
      expect(answer.text).not.toContain('\\ud800');
    }
    // A surrogate pair (an emoji) is text.
    const emoji = await service.api('POST', '/credentials', {
      token,
      rawBody: '{"componentId":"petstore","name":"pets \\ud83d\\udc36","fields":{"apiKey":"k-1"}}',
    });
    expect(emoji.status).toBe(201);
    expect(emoji.body.name).toBe('pets 🐶');
    expect(await credentialCount()).toBe(before + 1);
  });

  it('refuses __proto__, constructor and prototype keys alike, at the top and inside fields', async () => {
    const before = await credentialCount();
    const cases: [string, string][] = [
      ['{"componentId":"petstore","__proto__":{"x":1},"fields":{"apiKey":"k-1"}}', 'body.__proto__'],
      [
        '{"componentId":"petstore","fields":{"apiKey":"k-1","__proto__":{"admin":true}}}',
        'body.fields.__proto__',
      ],
      ['{"componentId":"petstore","fields":{"apiKey":"k-1","constructor":"x"}}', 'body.fields.constructor'],
      ['{"componentId":"petstore","fields":{"apiKey":"k-1","prototype":"x"}}', 'body.fields.prototype'],
    ];
    for (const [raw, path] of cases) {
      const answer = await service.api('POST', '/credentials', { token, rawBody: raw });
      expect(answer.status, raw).toBe(400);
      expect(answer.body.errors, raw).toEqual([{ path, message: 'is not an allowed name' }]);
    }
    expect(await credentialCount()).toBe(before);
  });

  it('answers 404 for prototype names on every public path, never a 500', async () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
    const prefixes = ['/console/', '/reference/', '/problems/', '/'];
    const statuses = new Map<string, number>();
    for (const prefix of prefixes) {
      for (const name of names) {
        const response = await fetch(`${service.url}${prefix}${name}`);
        await response.arrayBuffer();
        statuses.set(`${prefix}${name}`, response.status);
      }
    }
    const wrong = [...statuses].filter(([, status]) => status !== 404);
    expect(wrong).toEqual([]);
    // A repeated query parameter named like one is refused as any repeated parameter is.
    const repeated = await service.api('GET', '/credentials?__proto__=a&__proto__=b', { token });
    expect(repeated.status).toBe(400);
  });

  it('a credential whose secret is gone answers credential_invalid on verify and resolve, never a 500', async () => {
    const id = (
      await service.api('POST', '/credentials', {
        token,
        body: { componentId: 'petstore', fields: { apiKey: 'k-gone' } },
      })
    ).body.id as string;
    await service.api('PUT', '/flows/secret-gone', {
      token,
      body: {
        name: 'Secret gone',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'petstore', credentialId: id }],
      },
    });
    await service.secretsManager.send(
      new DeleteSecretCommand({
        SecretId: `${service.config.secretPrefix}/${tenant}/${id}`,
        ForceDeleteWithoutRecovery: true,
      }),
    );

    const verify = await service.api('POST', `/credentials/${id}/verify`, { token });
    expect(verify.status).toBe(422);
    expect(verify.body).toMatchObject({ code: 'credential_invalid', reason: 'secret_missing' });

    const deps = buildResolveDependencies(service.deps, { cacheTtlMs: 0, refreshMarginMs: 0, refresh: {} });
    const resolved = await resolveCredential(
      deps,
      { tenantId: tenant, subject: 'arn:aws:states:eu-west-1:1:execution:x:run-1' },
      { flowId: 'secret-gone', stepId: 's', executionId: 'run-1' },
    ).catch((error: unknown) => error);
    expect(resolved).toBeInstanceOf(AppError);
    expect((resolved as AppError).code).toBe('credential_invalid');
  });
});
