import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { TENANT_CLAIM } from '../shared/lambda/lambda-handler.ts';
import { SCOPES } from '../shared/lambda/scopes.ts';

/**
 * Stands in for the tenant's identity provider locally: signs ES256 tokens carrying `tenant_id`,
 * and the gateway verifies them the way API Gateway's JWT authorizer does in AWS.
 */
export const LOCAL_ISSUER = 'https://local-issuer.credentials-service.invalid';
export const LOCAL_AUDIENCE = 'credentials-api';

export interface SignOptions {
  readonly subject?: string;
  /** `null` leaves `exp` out (a token the gateway must refuse). */
  readonly lifetime?: string | null;
  /** Epoch seconds; defaults to now. */
  readonly issuedAt?: number;
  readonly notBefore?: number;
  /** Space-separated scopes; every scope of the API when absent. */
  readonly scope?: string;
  /** Extra or overriding claims, for tests of what the gateway refuses. */
  readonly claims?: Record<string, unknown>;
}

/** API Gateway's JWT authorizer allows no clock skew to speak of; a few seconds cover local clocks. */
const CLOCK_SKEW_SECONDS = 5;

export interface LocalIssuer {
  sign(tenantId: string, options?: SignOptions): Promise<string>;
  verify(token: string): Promise<Record<string, unknown>>;
}

const loadOrCreateKeys = async (keyPath?: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> => {
  if (keyPath && existsSync(keyPath)) return JSON.parse(readFileSync(keyPath, 'utf8'));
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const keys = { privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
  if (keyPath) {
    mkdirSync(dirname(keyPath), { recursive: true });
    writeFileSync(keyPath, JSON.stringify(keys), { mode: 0o600 });
  }
  return keys;
};

export const createLocalIssuer = async (keyPath?: string): Promise<LocalIssuer> => {
  const { privateJwk, publicJwk } = await loadOrCreateKeys(keyPath);
  const privateKey = await importJWK(privateJwk, 'ES256');
  const publicKey = await importJWK(publicJwk, 'ES256');
  return {
    sign: (tenantId, options = {}) => {
      const jwt = new SignJWT({
        [TENANT_CLAIM]: tenantId,
        scope: options.scope ?? SCOPES.join(' '),
        ...options.claims,
      })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(options.subject ?? `user@${tenantId}`)
        .setIssuedAt(options.issuedAt);
      if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
      if (options.lifetime !== null) jwt.setExpirationTime(options.lifetime ?? '12h');
      return jwt.sign(privateKey);
    },
    // As API Gateway's JWT authorizer documents: exp required and in the future, nbf and iat (when
    // present) not in the future, issuer and audience as configured.
    verify: async (token) => {
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_SKEW_SECONDS,
      });
      const now = Math.floor(Date.now() / 1000);
      if (
        payload.iat !== undefined &&
        (typeof payload.iat !== 'number' || payload.iat > now + CLOCK_SKEW_SECONDS)
      )
        throw new Error('iat is in the future');
      return payload as Record<string, unknown>;
    },
  };
};
