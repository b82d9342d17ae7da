import type { ComponentDefinition } from './component.ts';

/** Deployment settings that change where a component's API lives (local demo vs. the real one). */
export interface ComponentSettings {
  readonly petstoreBaseUrl: string;
}

export const DEFAULT_COMPONENT_SETTINGS: ComponentSettings = {
  petstoreBaseUrl: 'https://petstore.swagger.io/v2',
};

export const COMPONENT_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;

export const buildComponentRegistry = (settings: ComponentSettings): readonly ComponentDefinition[] => [
  {
    id: 'petstore',
    name: 'Petstore API',
    description: 'The Petstore demo API, authenticated with an API key sent in the `api_key` header.',
    fields: [
      {
        name: 'apiKey',
        label: 'API key',
        type: 'string',
        required: true,
        secret: true,
        maxLength: 256,
        pattern: '^[A-Za-z0-9._~-]+$',
      },
    ],
    verification: {
      kind: 'http',
      method: 'GET',
      url: `${settings.petstoreBaseUrl}/store/inventory`,
      headers: { api_key: '{{apiKey}}' },
      successStatuses: [200],
    },
  },
  {
    id: 'http-api-key',
    name: 'HTTP API (API key)',
    description: 'Any HTTPS API that takes an API key in a header.',
    fields: [
      { name: 'baseUrl', label: 'Base URL', type: 'url', required: true, secret: false },
      {
        name: 'headerName',
        label: 'Header name',
        type: 'string',
        required: true,
        secret: false,
        pattern: '^[A-Za-z0-9-]{1,64}$',
      },
      {
        name: 'verifyPath',
        label: 'Path answered with 2xx for a valid key',
        type: 'string',
        required: true,
        secret: false,
        pattern: '^/[^\\s]{0,512}$',
      },
      { name: 'apiKey', label: 'API key', type: 'string', required: true, secret: true, maxLength: 4096 },
    ],
    verification: {
      kind: 'http',
      method: 'GET',
      url: '{{baseUrl}}{{verifyPath}}',
      headers: { '{{headerName}}': '{{apiKey}}' },
      successStatuses: [200, 201, 202, 204],
    },
  },
  {
    id: 'http-basic',
    name: 'HTTP API (basic auth)',
    description: 'Any HTTPS API that takes a user name and password with HTTP basic authentication.',
    fields: [
      { name: 'baseUrl', label: 'Base URL', type: 'url', required: true, secret: false },
      {
        name: 'verifyPath',
        label: 'Path answered with 2xx for valid credentials',
        type: 'string',
        required: true,
        secret: false,
        pattern: '^/[^\\s]{0,512}$',
      },
      { name: 'username', label: 'User name', type: 'string', required: true, secret: false, maxLength: 256 },
      { name: 'password', label: 'Password', type: 'string', required: true, secret: true, maxLength: 4096 },
    ],
    verification: {
      kind: 'http',
      method: 'GET',
      url: '{{baseUrl}}{{verifyPath}}',
      basicAuth: { username: '{{username}}', password: '{{password}}' },
      successStatuses: [200, 201, 202, 204],
    },
  },
  {
    id: 'oauth2',
    name: 'OAuth2 API',
    description:
      'An API that takes OAuth2 bearer tokens. The service refreshes the access token with the refresh token when a workflow needs it.',
    fields: [
      { name: 'tokenUrl', label: 'Token endpoint', type: 'url', required: true, secret: false },
      {
        name: 'userinfoUrl',
        label: 'Userinfo or "who am I" endpoint',
        type: 'url',
        required: false,
        secret: false,
      },
      { name: 'clientId', label: 'Client id', type: 'string', required: true, secret: false, maxLength: 512 },
      {
        name: 'clientSecret',
        label: 'Client secret',
        type: 'string',
        required: false,
        secret: true,
        heldByService: true,
        maxLength: 4096,
      },
      {
        name: 'accessToken',
        label: 'Access token',
        type: 'string',
        required: true,
        secret: true,
        maxLength: 32768,
      },
      {
        name: 'refreshToken',
        label: 'Refresh token',
        type: 'string',
        required: false,
        secret: true,
        heldByService: true,
        maxLength: 32768,
      },
      { name: 'scope', label: 'Scope', type: 'string', required: false, secret: false, maxLength: 2048 },
      { name: 'expiresAt', label: 'Access token expiry', type: 'datetime', required: false, secret: false },
    ],
    verification: { kind: 'oauth2' },
    destinationFields: ['tokenUrl', 'userinfoUrl'],
  },
  {
    id: 'postgresql',
    name: 'PostgreSQL',
    description: 'A PostgreSQL database reached over TCP.',
    fields: [
      { name: 'host', label: 'Host', type: 'hostname', required: true, secret: false },
      { name: 'port', label: 'Port', type: 'integer', required: true, secret: false },
      {
        name: 'database',
        label: 'Database',
        type: 'string',
        required: true,
        secret: false,
        maxLength: 63,
        pattern: '^[^\\s]+$',
      },
      { name: 'user', label: 'User', type: 'string', required: true, secret: false, maxLength: 63 },
      { name: 'password', label: 'Password', type: 'string', required: true, secret: true, maxLength: 1024 },
      {
        name: 'sslMode',
        label: 'TLS: require (default), verify-full, or disable',
        type: 'string',
        required: false,
        secret: false,
        pattern: '^(require|verify-full|disable)$',
      },
    ],
    verification: { kind: 'postgresql' },
    // sslMode decides whether the password may travel in clear text.
    destinationFields: ['host', 'port', 'sslMode'],
  },
];
