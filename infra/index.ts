/**
 * The package's public entry point: what a CDK app installs and uses. Everything else under
 * infra/, shared/ and functions/ is internal; the Lambda code ships prebuilt.
 */
export { CredentialsService, type CredentialsServiceProps } from './constructs/credentials-service.ts';
export { TenantKey } from './constructs/tenant-key.ts';
export type { AnyFunctionName } from './function-catalog.ts';
