/** How long a person has to consent at the provider and come back. */
export const CONNECT_SESSION_MINUTES = 10;

export type ConnectSessionStatus = 'pending' | 'exchanging' | 'connected' | 'failed';

/**
 * One authorization-code dance, stored server-side. `state` is never stored: only its SHA-256,
 * so the table cannot be used to forge a callback. The PKCE verifier is kept until the exchange
 * and removed when the session ends.
 */
export interface ConnectSession {
  readonly tenantId: string;
  readonly sessionId: string;
  readonly componentId: string;
  readonly name: string | null;
  /** Re-connects this credential instead of creating one. */
  readonly credentialId: string | null;
  readonly scopes: readonly string[];
  readonly returnUrl: string | null;
  readonly stateHash: string;
  readonly codeVerifier: string | null;
  readonly nonce: string;
  readonly status: ConnectSessionStatus;
  readonly reason: string | null;
  readonly resultCredentialId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export const toConnectSessionView = (session: ConnectSession) => ({
  sessionId: session.sessionId,
  componentId: session.componentId,
  status: session.status,
  reason: session.reason,
  credentialId: session.resultCredentialId ?? session.credentialId,
  expiresAt: session.expiresAt,
  createdAt: session.createdAt,
});
export type ConnectSessionView = ReturnType<typeof toConnectSessionView>;

/**
 * The `state` parameter: `<tenant>.<sessionId>.<secret>`. Tenant and session say where to look;
 * only the secret's hash is stored, compared in constant time.
 */
export const parseState = (
  state: string,
): { tenantId: string; sessionId: string; secret: string } | undefined => {
  const match = /^([A-Za-z0-9_-]{1,64})\.([0-9A-HJKMNP-TV-Z]{26})\.([A-Za-z0-9_-]{43})$/.exec(state);
  return match
    ? { tenantId: match[1] as string, sessionId: match[2] as string, secret: match[3] as string }
    : undefined;
};
