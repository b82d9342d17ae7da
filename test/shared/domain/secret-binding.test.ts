import { describe, expect, it } from 'vitest';
import { loadBundledComponents } from '../../../shared/components/index.ts';
import type { ComponentDefinition } from '../../../shared/domain/component.ts';
import { destinationFieldNames } from '../../../shared/domain/component.ts';
import { bindSecret, unbindSecret } from '../../../shared/domain/secret-binding.ts';

const registry = loadBundledComponents({
  petstoreBaseUrl: 'https://petstore.example/v2',
  demoOAuth2BaseUrl: 'https://demo.example',
});
const component = (id: string): ComponentDefinition => {
  const found = registry.find((candidate) => candidate.id === id);
  if (!found) throw new Error(id);
  return found;
};

describe('the destination a secret is bound to', () => {
  it('includes the fields the proxy sends to: a base URL and a provider-given instance URL', () => {
    expect(destinationFieldNames(component('http-api-key'))).toEqual(['baseUrl', 'headerName', 'verifyPath']);
    expect(destinationFieldNames(component('salesforce'))).toEqual(['instanceUrl']);
    expect(destinationFieldNames(component('oauth2'))).toEqual(['apiBaseUrl', 'tokenUrl', 'userinfoUrl']);
  });

  it('keeps a secret saved before the proxy existed bound: a field only the proxy uses counts once set', () => {
    const salesforce = component('salesforce');
    // A secret saved by a version that knew no instanceUrl is bound to the component alone.
    const saved = bindSecret({ ...salesforce, api: undefined }, {}, { accessToken: 'a' });
    expect(unbindSecret(salesforce, {}, saved)).toEqual({ accessToken: 'a' });
    // Once the provider gave an instance, the secret goes there and nowhere else.
    const bound = bindSecret(
      salesforce,
      { instanceUrl: 'https://acme.my.salesforce.com' },
      { accessToken: 'a' },
    );
    expect(() => unbindSecret(salesforce, { instanceUrl: 'https://evil.my.salesforce.com' }, bound)).toThrow(
      /needs the secret fields again/,
    );
    expect(() => unbindSecret(salesforce, {}, bound)).toThrow();
  });

  it('binds the verification destinations even when empty, as it always did', () => {
    const oauth2 = component('oauth2');
    const bound = bindSecret(oauth2, { tokenUrl: 'https://idp.example/token' }, { accessToken: 'a' });
    expect(() =>
      unbindSecret(
        oauth2,
        { tokenUrl: 'https://idp.example/token', userinfoUrl: 'https://x.example' },
        bound,
      ),
    ).toThrow();
  });
});
