import type { FieldValues } from '../../domain/credential-fields.ts';
import type { VerificationResult } from '../../ports/credential-verifier.ts';
import { type NetworkPolicy, type Resolver, vetDestination } from './network-guard.ts';
import { failed, fromNetworkError } from './verification-outcomes.ts';

const AUTH_FAILURES = new Set(['28P01', '28000']); // invalid_password, invalid_authorization_specification
const MISSING_DATABASE = '3D000';
const PERMISSION_DENIED = '42501';

/** Connects with the credential and runs `SELECT 1`, with one deadline for the whole check. */
export const verifyPostgreSql = async (
  values: FieldValues,
  options: NetworkPolicy & { timeoutMs: number; resolve?: Resolver },
): Promise<VerificationResult> => {
  // Loaded on first use: only the verifying functions ever connect to a database.
  const { default: pg } = await import('pg');
  let client: InstanceType<typeof pg.Client> | undefined;
  const started = Date.now();
  try {
    const vetted = await vetDestination(String(values.host), Number(values.port), options, options.resolve);
    const sslMode = String(values.sslMode ?? 'require');
    client = new pg.Client({
      host: vetted.address,
      port: Number(values.port),
      database: String(values.database),
      user: String(values.user),
      password: String(values.password),
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      statement_timeout: options.timeoutMs,
      ...(sslMode === 'disable'
        ? { ssl: false }
        : { ssl: { servername: String(values.host), rejectUnauthorized: sslMode === 'verify-full' } }),
    });
    // pg reports connection errors on the client too; without a listener they would crash the process.
    client.on('error', () => {});
    await client.connect();
    await client.query('SELECT 1');
    return { outcome: 'verified' };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (AUTH_FAILURES.has(code))
      return failed('invalid_credentials', 'the database rejected the user name or password.');
    if (code === MISSING_DATABASE) return failed('invalid_credentials', 'the database does not exist.');
    if (code === PERMISSION_DENIED)
      return failed('insufficient_scope', 'the user may not connect to this database.');
    // pg's own timeouts carry no error code; the elapsed time tells them apart, never the message.
    if (!code && Date.now() - started >= options.timeoutMs - 50)
      return failed('timeout', 'the database did not answer in time.');
    return fromNetworkError(error);
  } finally {
    await client?.end().catch(() => {});
  }
};
