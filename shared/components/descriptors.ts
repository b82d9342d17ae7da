import type { ComponentSettings } from '../domain/component-settings.ts';
import demoMachine from './demo-machine.json' with { type: 'json' };
import demoOAuth2 from './demo-oauth2.json' with { type: 'json' };
import github from './github.json' with { type: 'json' };
import google from './google.json' with { type: 'json' };
import httpApiKey from './http-api-key.json' with { type: 'json' };
import httpBasic from './http-basic.json' with { type: 'json' };
import oauth2 from './oauth2.json' with { type: 'json' };
import petstore from './petstore.json' with { type: 'json' };
import postgresql from './postgresql.json' with { type: 'json' };
import salesforce from './salesforce.json' with { type: 'json' };

/**
 * Every component descriptor, by file name. Adding a component: write `<id>.json` beside these
 * and add it here (a test fails, naming the file, if a descriptor is left out). Data only: the
 * validating loader is `./index.ts`; Lambda loads `./trusted.ts`, with no schema code.
 */
export const COMPONENT_DESCRIPTORS: Readonly<Record<string, unknown>> = {
  'petstore.json': petstore,
  'http-api-key.json': httpApiKey,
  'http-basic.json': httpBasic,
  'oauth2.json': oauth2,
  'postgresql.json': postgresql,
  'github.json': github,
  'google.json': google,
  'salesforce.json': salesforce,
  'demo-oauth2.json': demoOAuth2,
  'demo-machine.json': demoMachine,
};

/** Where the demo APIs live by default; a deployment overrides them (or leaves the demo ones out). */
export const DEFAULT_COMPONENT_SETTINGS: ComponentSettings = {
  petstoreBaseUrl: 'https://petstore.swagger.io/v2',
};
