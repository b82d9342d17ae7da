import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadLocalComponents } from '../../local/local-components.ts';
import { loadComponents } from '../../shared/domain/component-descriptor.ts';

const demo = JSON.parse(
  readFileSync(new URL('../../shared/components/demo-oauth2.json', import.meta.url), 'utf8'),
);
/** A provider of one's own on loopback, described as a deployment would describe a real one. */
const myProvider = (origin: string, id = 'my-provider') => {
  const { $schema: _schema, ...descriptor } = demo;
  return JSON.parse(
    JSON.stringify({ ...descriptor, id, name: 'My provider' }).replaceAll('{{$demoOAuth2BaseUrl}}', origin),
  );
};

describe('LOCAL_COMPONENTS_DIR: components of one’s own under npm start', () => {
  const folders: string[] = [];
  const folderWith = (files: Record<string, unknown>) => {
    const folder = mkdtempSync(join(tmpdir(), 'local-components-'));
    folders.push(folder);
    for (const [name, json] of Object.entries(files)) writeFileSync(join(folder, name), JSON.stringify(json));
    return folder;
  };
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('loads descriptors whose URLs are on loopback, exactly as written', () => {
    const [component] = loadLocalComponents(
      folderWith({ 'my-provider.json': myProvider('http://127.0.0.1:9000') }),
      {},
    );
    expect(component?.id).toBe('my-provider');
    expect(component?.provider).toMatchObject({
      authorizationUrl: 'http://127.0.0.1:9000/authorize',
      tokenUrl: 'http://127.0.0.1:9000/token',
      issuer: 'http://127.0.0.1:9000',
    });
    const [named] = loadLocalComponents(
      folderWith({ 'my-provider.json': myProvider('http://localhost:9001') }),
      {},
    );
    expect(named?.provider?.tokenUrl).toBe('http://localhost:9001/token');
  });

  it('refuses plain http anywhere else, an id a bundled component has, and a file that is not JSON', () => {
    expect(() =>
      loadLocalComponents(folderWith({ 'my-provider.json': myProvider('http://provider.example') }), {}),
    ).toThrow(
      /local-components-.*\/my-provider\.json: 'http:\/\/provider\.example\/authorize' is plain http/,
    );
    for (const origin of [
      'http://127.0.0.2:9000',
      'http://[::1]:9000',
      'http://user:pw@127.0.0.1:9000',
      'http://127.0.0.1:9000@evil.example',
      'http://localhost.evil.example:9000',
    ])
      expect(() => loadLocalComponents(folderWith({ 'my-provider.json': myProvider(origin) }), {})).toThrow(
        /is plain http to another host/,
      );
    expect(() =>
      loadLocalComponents(
        folderWith({ 'my-provider.json': myProvider('https://user@provider.example') }),
        {},
      ),
    ).toThrow(/without userinfo/);
    expect(() =>
      loadLocalComponents(
        folderWith({ 'petstore.json': myProvider('http://127.0.0.1:9000', 'petstore') }),
        {},
      ),
    ).toThrow(/a bundled component already has the id 'petstore'/);
    const broken = folderWith({});
    writeFileSync(join(broken, 'broken.json'), '{ "id": ');
    expect(() => loadLocalComponents(broken, {})).toThrow(/broken\.json: not JSON/);
  });

  it('refuses a descriptor that puts a secret field in a URL', () => {
    const keyInUrl = {
      id: 'key-in-url',
      name: 'Key in URL',
      description: 'An API that takes its key in the query.',
      fields: [
        { name: 'baseUrl', label: 'Base URL', type: 'url', required: true, secret: false },
        { name: 'apiKey', label: 'API key', type: 'string', required: true, secret: true },
      ],
      verification: {
        kind: 'http',
        method: 'GET',
        url: '{{baseUrl}}/check?key={{apiKey}}',
        successStatuses: [200],
      },
    };
    expect(() => loadLocalComponents(folderWith({ 'key-in-url.json': keyInUrl }), {})).toThrow(
      /verification\.url: names the secret field \{\{apiKey\}\}/,
    );
  });

  it('leaves the bundled descriptors https-only', () => {
    expect(() => loadComponents({ 'my-provider.json': myProvider('http://127.0.0.1:9000') }, {})).toThrow(
      /must be an https URL/,
    );
  });
});
