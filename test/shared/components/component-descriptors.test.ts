import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { COMPONENT_DESCRIPTORS, DEFAULT_COMPONENT_SETTINGS } from '../../../shared/components/descriptors.ts';
import { trustedComponentCatalog, trustedComponentRegistry } from '../../../shared/components/trusted.ts';
import { componentCatalog } from '../../../shared/domain/component-catalog.ts';
import { componentDescriptorSchema, loadComponents } from '../../../shared/domain/component-descriptor.ts';

const directory = new URL('../../../shared/components/', import.meta.url);
const petstore = COMPONENT_DESCRIPTORS['petstore.json'] as Record<string, unknown>;
const github = COMPONENT_DESCRIPTORS['github.json'] as Record<string, unknown>;

describe('component descriptors (shared/components/*.json)', () => {
  it('are all registered, and every shipped one validates', () => {
    const files = readdirSync(directory).filter(
      (name) => name.endsWith('.json') && name !== 'component.schema.json',
    );
    expect(Object.keys(COMPONENT_DESCRIPTORS).sort()).toEqual(files.sort());
    const all = loadComponents(COMPONENT_DESCRIPTORS, {
      ...DEFAULT_COMPONENT_SETTINGS,
      demoOAuth2BaseUrl: 'http://127.0.0.1:9999',
    });
    expect(all.map((component) => component.id).sort()).toEqual(
      files.map((name) => name.replace('.json', '')).sort(),
    );
    const demo = all.find((component) => component.id === 'demo-oauth2');
    expect(demo?.provider?.tokenUrl).toBe('http://127.0.0.1:9999/token');
  });

  it('ship real providers with their documented endpoints, PKCE on', () => {
    const providers = loadComponents(COMPONENT_DESCRIPTORS, DEFAULT_COMPONENT_SETTINGS).filter(
      (component) => component.provider?.grant === 'authorization_code',
    );
    expect(providers.map((component) => component.id).sort()).toEqual(['github', 'google', 'salesforce']);
    for (const component of providers) {
      expect(component.provider?.tokenUrl).toMatch(/^https:\/\//);
      expect(component.provider?.pkce).toBe(true);
    }
  });

  it('leave out a demo component whose setting the deployment does not configure', () => {
    const ids = loadComponents(COMPONENT_DESCRIPTORS, DEFAULT_COMPONENT_SETTINGS).map(
      (component) => component.id,
    );
    expect(ids).not.toContain('demo-oauth2');
    expect(ids).toContain('petstore');
  });

  it('fail with the file and the field at fault when broken', () => {
    const broken =
      (descriptor: unknown, file = 'broken.json') =>
      () =>
        loadComponents({ [file]: descriptor }, DEFAULT_COMPONENT_SETTINGS);
    const fields = petstore.fields as Record<string, unknown>[];
    expect(broken({ ...petstore, id: 'broken', fields: [{ ...fields[0], type: 'number' }] })).toThrow(
      /shared\/components\/broken\.json:\n\s+fields\.0\.type: must be one of/,
    );
    expect(
      broken({
        ...petstore,
        id: 'broken',
        verification: { ...(petstore.verification as object), url: '{{nope}}/x' },
      }),
    ).toThrow(/broken\.json:\n\s+verification: names \{\{nope\}\}, which is not a field/);
    expect(broken({ ...petstore }, 'broken.json')).toThrow(/id: must match the file name/);
    expect(
      broken({
        ...github,
        id: 'broken',
        provider: { ...(github.provider as object), tokenUrl: 'http://evil.example/token' },
      }),
    ).toThrow(/provider\.tokenUrl: must be an https URL/);
    expect(
      broken({
        ...github,
        id: 'broken',
        provider: { ...(github.provider as object), authorizationUrl: undefined },
      }),
    ).toThrow(/provider\.authorizationUrl: is required for the authorization_code grant/);
  });

  it('load the same in Lambda, where synthesis already validated them and no schema code runs', () => {
    const settings = { ...DEFAULT_COMPONENT_SETTINGS, demoOAuth2BaseUrl: 'http://127.0.0.1:1' };
    expect(trustedComponentRegistry(settings)).toEqual(loadComponents(COMPONENT_DESCRIPTORS, settings));
    expect(
      trustedComponentRegistry(DEFAULT_COMPONENT_SETTINGS).map((component) => component.id),
    ).not.toContain('demo-oauth2');
  });

  it('answer alike from the catalog that makes each definition when it is first named', () => {
    for (const settings of [
      DEFAULT_COMPONENT_SETTINGS,
      { ...DEFAULT_COMPONENT_SETTINGS, demoOAuth2BaseUrl: 'http://127.0.0.1:1' },
    ]) {
      const eager = componentCatalog(trustedComponentRegistry(settings));
      const lazy = trustedComponentCatalog(settings);
      const ids = [...Object.values(COMPONENT_DESCRIPTORS).map((d) => (d as { id: string }).id), 'nope'];
      for (const id of ids) expect(lazy.find(id), id).toEqual(eager.find(id));
      expect(lazy.find('petstore')).toBe(lazy.find('petstore'));
      expect(lazy.all).toEqual(eager.all);
      expect(() => lazy.require('nope', 'steps.0.componentId')).toThrow(
        /steps\.0\.componentId: unknown component/,
      );
      expect(() => lazy.get('nope')).toThrow(/not found/i);
    }
    // A descriptor naming a setting the deployment leaves unset is not offered, looked up or listed.
    const unset = trustedComponentCatalog(DEFAULT_COMPONENT_SETTINGS);
    expect(unset.find('demo-oauth2')).toBeUndefined();
    expect(unset.all.map((component) => component.id)).not.toContain('demo-oauth2');
  });

  it('commit component.schema.json as generated, for editors', () => {
    const committed = JSON.parse(readFileSync(new URL('component.schema.json', directory), 'utf8'));
    expect(committed).toEqual(
      JSON.parse(
        JSON.stringify(z.toJSONSchema(componentDescriptorSchema(), { io: 'input', unrepresentable: 'any' })),
      ),
    );
  });
});
