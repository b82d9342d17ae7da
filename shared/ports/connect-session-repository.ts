import type { ConnectSession } from '../domain/connect-session.ts';

export type ClaimRefusal = 'unknown' | 'expired' | 'used' | 'mismatch';

export interface ConnectSessionRepository {
  create(session: ConnectSession): Promise<void>;
  get(tenantId: string, sessionId: string): Promise<ConnectSession | null>;
  /**
   * Takes the session for its one exchange: only a pending, unexpired session whose state hash
   * matches, and only once (a conditional write, so two callbacks cannot both win).
   */
  claim(
    tenantId: string,
    sessionId: string,
    stateHash: string,
    now: Date,
  ): Promise<{ session: ConnectSession } | { refused: ClaimRefusal }>;
  /** Ends the session (connected or failed) and forgets its PKCE verifier. */
  finish(
    tenantId: string,
    sessionId: string,
    outcome: { status: 'connected'; credentialId: string } | { status: 'failed'; reason: string },
  ): Promise<void>;
}
