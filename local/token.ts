import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TENANT_ID_PATTERN } from '../shared/domain/actor.ts';
import { SCOPES } from '../shared/lambda/scopes.ts';
import { createLocalIssuer } from './local-issuer.ts';
import { LOCAL_STATE_DIRECTORY } from './local-paths.ts';

const usage = `Usage: npm run token -- <tenantId> [--scope "credentials:read flows:read"] [--subject <sub>]
  tenantId: 1-64 letters, digits, _ or -, starting with a letter or digit
  scopes:   ${SCOPES.join(' ')} (default: all)
`;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { scope: { type: 'string' }, subject: { type: 'string' } },
});
const tenantId = positionals[0] ?? 'dev-tenant';
const unknown = (values.scope ?? '')
  .split(/\s+/)
  .filter((scope) => scope && !(SCOPES as readonly string[]).includes(scope));
if (!TENANT_ID_PATTERN.test(tenantId) || unknown.length > 0) {
  process.stderr.write(unknown.length > 0 ? `Unknown scope: ${unknown.join(', ')}\n${usage}` : usage);
  process.exit(2);
}
const issuer = await createLocalIssuer(join(LOCAL_STATE_DIRECTORY, 'issuer-key.json'));
process.stdout.write(
  `${await issuer.sign(tenantId, {
    ...(values.subject ? { subject: values.subject } : {}),
    ...(values.scope !== undefined ? { scope: values.scope } : {}),
  })}\n`,
);
