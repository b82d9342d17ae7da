import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { TENANT_CLAIM } from '../shared/lambda/lambda-handler.ts';

/**
 * Stands in for the tenant's identity provider locally: signs ES256 tokens carrying `tenant_id`,
 * and the gateway verifies them the way API Gateway's JWT authorizer does in AWS.
 */
export const LOCAL_ISSUER = 'https://local-issuer.credentials-service.invalid';
export const LOCAL_AUDIENCE = 'credentials-api';

export interface LocalIssuer {
  sign(tenantId: string, subject?: string, lifetime?: string): Promise<string>;
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
    sign: (tenantId, subject = `user@${tenantId}`, lifetime = '12h') =>
      new SignJWT({ [TENANT_CLAIM]: tenantId })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(subject)
        .setIssuedAt()
        .setExpirationTime(lifetime)
        .sign(privateKey),
    verify: async (token) => {
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
      });
      return payload as Record<string, unknown>;
    },
  };
};
