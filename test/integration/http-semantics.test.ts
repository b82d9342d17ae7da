import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_GUIDES } from '../../shared/errors/problem-guide.ts';
import { reverifyCredential } from '../../shared/use-cases/reverify-credential.ts';
import { updateCredential } from '../../shared/use-cases/update-credential.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

describe('HTTP as the RFCs say: If-Match, problem bodies, public documents', () => {
  let service: LocalService;
  let token: string;

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    token = await service.token('tenant-http');
  });
  afterAll(() => service.stop());

  const create = async () => {
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', name: 'original', fields: { apiKey: 'k-1' } },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const rename = (id: string, ifMatch: string, name: string) =>
    service.api('PATCH', `/credentials/${id}`, { token, body: { name }, headers: { 'if-match': ifMatch } });

  describe('If-Match (RFC 9110 §13.1.1)', () => {
    it('`*` matches any current version', async () => {
      const id = await create();
      const renamed = await rename(id, '*', 'star');
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('star');
      expect(renamed.headers.get('etag')).toBe('"2"');
    });

    it('a change the service makes on its own (a scheduled check) never makes a person’s edit fail', async () => {
      const id = await create();
      const read = await service.api('GET', `/credentials/${id}`, { token });
      const tag = read.headers.get('etag') ?? '';
      // Two scheduled checks while the person edits: each writes the item (its next check is due).
      const actor = { tenantId: 'tenant-http', subject: 'scheduler' };
      for (let check = 0; check < 2; check++)
        await reverifyCredential(service.deps, actor, id, { scheduled: true });
      const stored = await service.deps.credentials.get('tenant-http', id);
      expect(stored?.version).toBe(3);
      const afterChecks = await service.api('GET', `/credentials/${id}`, { token });
      expect(afterChecks.headers.get('etag')).toBe(tag);
      expect(afterChecks.body.version).toBe(read.body.version);

      const saved = await rename(id, tag, 'saved after two checks');
      expect(saved.status).toBe(200);
      // The audit names what was edited (never a value).
      const audit = await service.api('GET', `/credentials/${id}/audit`, { token });
      expect(audit.body.items[0]).toMatchObject({ action: 'updated', detail: 'name' });
      // Another person's edit is a change: the first tag is refused now, naming the current one.
      const stale = await rename(id, tag, 'stale');
      expect(stale).toMatchObject({ status: 412, body: { code: 'version_mismatch' } });
      expect(stale.body.currentVersion).toBe(Number(JSON.parse(saved.headers.get('etag') ?? '0')));
      // A delete's If-Match is compared the same way.
      const current = saved.headers.get('etag') ?? '';
      await reverifyCredential(service.deps, actor, id, { scheduled: true });
      expect(
        (await service.api('DELETE', `/credentials/${id}`, { token, headers: { 'if-match': current } }))
          .status,
      ).toBe(204);
    });

    it('an edit whose write meets a check made in between is written again on the newer item', async () => {
      const id = await create();
      const tag = Number(
        JSON.parse((await service.api('GET', `/credentials/${id}`, { token })).headers.get('etag') ?? '0'),
      );
      const actor = { tenantId: 'tenant-http', subject: 'scheduler' };
      let writes = 0;
      const racing = {
        ...service.deps,
        credentials: {
          ...service.deps.credentials,
          update: async (...args: Parameters<typeof service.deps.credentials.update>) => {
            // The scheduled check lands between the edit's read and its write, once.
            if (writes++ === 0) await reverifyCredential(service.deps, actor, id, { scheduled: true });
            return service.deps.credentials.update(...args);
          },
        },
      };
      const updated = await updateCredential(
        racing,
        { tenantId: 'tenant-http', subject: 'person' },
        {
          credentialId: id,
          expectedVersion: tag,
          name: 'written again',
        },
      );
      expect(updated).toMatchObject({ name: 'written again', editVersion: tag + 1 });
      // Written twice: refused once by the check's newer version, then on the newer item.
      expect(writes).toBe(2);
    });

    it('a tag this API never issued is 412, not 400, and names the current version', async () => {
      const id = await create();
      const refused = await rename(id, '"abc"', 'never');
      expect(refused.status).toBe(412);
      expect(refused.body).toMatchObject({ code: 'version_mismatch', currentVersion: 1, errors: [] });
      expect((await service.api('GET', `/credentials/${id}`, { token })).body.name).toBe('original');
    });

    it('a weak tag never matches, even for the current version', async () => {
      const id = await create();
      expect((await rename(id, 'W/"1"', 'weak')).status).toBe(412);
    });

    it('a list matches when any of its tags is current', async () => {
      const id = await create();
      const renamed = await rename(id, '"7", W/"3", "1"', 'listed');
      expect(renamed.status).toBe(200);
      expect((await rename(id, '"1", "3"', 'stale')).status).toBe(412);
    });

    it('applies to deletes and flows too: `*` on a missing flow is 412, a foreign tag on a delete is 412', async () => {
      const missing = await service.api('PUT', '/flows/no-such-flow', {
        token,
        body: { name: 'f', status: 'inactive', steps: [] },
        headers: { 'if-match': '*' },
      });
      expect(missing.status).toBe(412);
      expect(missing.body.currentVersion).toBe(0);
      const id = await create();
      const refused = await service.api('DELETE', `/credentials/${id}`, {
        token,
        headers: { 'if-match': '"nope"' },
      });
      expect(refused.status).toBe(412);
      expect(refused.body.currentVersion).toBe(1);
      const deleted = await service.api('DELETE', `/credentials/${id}`, {
        token,
        headers: { 'if-match': '"5", "1"' },
      });
      expect(deleted.status).toBe(204);
    });

    it('a value that is not an entity-tag list at all is 400', async () => {
      const id = await create();
      const refused = await rename(id, 'not a tag', 'x');
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('malformed_request');
    });

    it('an unquoted version is not an entity tag: 400, saying how to send it, and nothing changes', async () => {
      const id = await create();
      const refused = await rename(id, '1', 'unquoted');
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('malformed_request');
      expect(refused.body.detail).toContain('send "1"');
      const current = await service.api('GET', `/credentials/${id}`, { token });
      expect(current.body.version).toBe(1);
      expect(current.body.name).not.toBe('unquoted');
    });
  });

  describe('problem bodies', () => {
    it('always carry errors[], empty when nothing is field-level (404, 409, 412, 422)', async () => {
      const id = await create();
      await service.api('PUT', '/flows/uses-it', {
        token,
        body: {
          name: 'f',
          status: 'active',
          steps: [{ stepId: 's', componentId: 'petstore', credentialId: id }],
        },
      });
      const answers = await Promise.all([
        service.api('GET', '/credentials/nope.petstore', { token }),
        service.api('DELETE', `/credentials/${id}`, { token }),
        rename(id, '"9"', 'stale'),
        service.api('PUT', '/flows/bad-ref', {
          token,
          body: {
            name: 'f',
            status: 'active',
            steps: [{ stepId: 's', componentId: 'petstore', credentialId: 'x.petstore' }],
          },
        }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([404, 409, 412, 422]);
      for (const answer of answers) expect(answer.body.errors).toEqual([]);
    });

    it('words validation messages for people, never as a regular expression', async () => {
      for (const limit of ['0', '1000', 'abc', '-1']) {
        const refused = await service.api('GET', `/credentials?limit=${limit}`, { token });
        expect(refused.status).toBe(400);
        expect(refused.body.errors).toEqual([{ path: 'limit', message: 'must be from 1 to 100' }]);
      }
      const refused = await service.api('PUT', '/flows/f1', {
        token,
        body: { name: '', status: 'paused', steps: [{}] },
      });
      expect(refused.status).toBe(400);
      const messages = (refused.body.errors as { path: string; message: string }[]).map(
        (issue) => `${issue.path} ${issue.message}`,
      );
      expect(messages).toEqual(
        expect.arrayContaining([
          'body.name must not be empty',
          'body.status must be one of "active", "inactive"',
          'body.steps.0.stepId is required',
        ]),
      );
      for (const message of messages) expect(message).not.toMatch(/[/^$]|Invalid|pattern/);
    });

    it('links each type to a page the API serves without a token, explaining the problem', async () => {
      const problem = await service.api('GET', '/credentials/nope.petstore', { token });
      expect(problem.body.type).toBe(`${service.url}/problems/not_found`);
      const page = await fetch(problem.body.type);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await page.text();
      const guide = PROBLEM_GUIDES.find((candidate) => candidate.code === 'not_found');
      expect(html).toContain('Not found');
      expect(html).toContain('What to do');
      expect(guide && html.includes(guide.action.replace(/`/g, ''))).toBe(true);
      const index = await service.api('GET', '/problems');
      expect(index.status).toBe(200);
      for (const each of PROBLEM_GUIDES) expect(index.text).toContain(`/problems/${each.code}`);
      const unknown = await service.api('GET', '/problems/no_such_code');
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not_found');
    });
  });

  it('serves the OpenAPI document at /openapi.json without a token, as committed, naming its own origin', async () => {
    const served = await service.api('GET', '/openapi.json');
    expect(served.status).toBe(200);
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(served.body).toEqual({ ...committed, servers: [{ url: service.url, description: 'This API' }] });
  });

  it('never takes the origin it names from an unvalidated Host header', async () => {
    const { request } = await import('node:http');
    const get = (path: string, host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(path, service.url);
        const call = request(url, { headers: { host } }, (response) => {
          let body = '';
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        });
        call.on('error', reject);
        call.end();
      });
    for (const host of ['attacker.example', `localhost:1`, '127.0.0.1:3000@attacker.example']) {
      const document = JSON.parse((await get('/openapi.json', host)).body);
      expect(document.servers).toEqual([{ url: service.url, description: 'This API' }]);
      const problem = JSON.parse((await get('/no-such-route', host)).body);
      expect(problem.type).toBe(`${service.url}/problems/route_not_found`);
    }
    const port = new URL(service.url).port;
    const named = JSON.parse((await get('/openapi.json', `localhost:${port}`)).body);
    expect(named.servers[0].url).toBe(`http://localhost:${port}`);
  });

  it('renders the reference locally from installed files only: no CDN, no online validator', async () => {
    const page = await fetch(`${service.url}/reference`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/reference/')).toBe(true);
      const served = await fetch(`${service.url}${asset}`);
      expect(served.status, asset).toBe(200);
      expect((await served.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const init = await (await fetch(`${service.url}/reference/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('answers OPTIONS with what the path allows (204), as the stack does for CORS preflights', async () => {
    const answer = await fetch(`${service.url}/credentials/x.petstore`, { method: 'OPTIONS' });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('allow')).toBe('GET, PATCH, DELETE, OPTIONS');
  });

  it('keeps the token requirement everywhere else', async () => {
    const refused = await service.api('GET', '/components');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
  });
});
