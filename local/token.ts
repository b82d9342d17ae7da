import { join } from 'node:path';
import { TENANT_ID_PATTERN } from '../shared/domain/actor.ts';
import { createLocalIssuer } from './local-issuer.ts';
import { LOCAL_STATE_DIRECTORY } from './local-paths.ts';

const tenantId = process.argv[2] ?? 'dev-tenant';
if (!TENANT_ID_PATTERN.test(tenantId)) {
  process.stderr.write('Usage: npm run token -- <tenantId>   (1-64 letters, digits, _ or -)\n');
  process.exit(2);
}
const issuer = await createLocalIssuer(join(LOCAL_STATE_DIRECTORY, 'issuer-key.json'));
process.stdout.write(`${await issuer.sign(tenantId, process.argv[3])}\n`);
