import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../domain/actor.ts';
import type { ComponentDefinition } from '../domain/component.ts';
import { CONNECT_SESSION_MINUTES, type ConnectSession, parseState } from '../domain/connect-session.ts';
import { applyTokens, interpretTokenResponse } from '../domain/oauth2-tokens.ts';
import { AppError, notFound, validationFailed } from '../errors/app-error.ts';
import { describeError } from '../errors/describe-error.ts';
import { isTransientFailure } from '../errors/transient-failure.ts';
import { createCredential } from './create-credential.ts';
import { getCredential } from './get-credential.ts';
import { providerTokenClient } from './oauth-apps.ts';
import { updateCredential } from './update-credential.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

export interface StartConnectInput {
  readonly componentId: string;
  readonly name?: string | null;
  readonly credentialId?: string;
  readonly scopes?: readonly string[];
  readonly returnUrl?: string;
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');
const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

const connectFailed = (reason: string, detail: string, sessionId?: string) =>
  new AppError('connect_failed', detail, { extensions: { reason, ...(sessionId ? { sessionId } : {}) } });

/**
 * A return URL must start with one of the deployment's prefixes, compared on the parsed URL and on
 * whole path segments: `/connected` admits `/connected` and `/connected/…`, never `/connectedX`.
 */
const allowedReturnUrl = (returnUrl: string, prefixes: readonly string[]): boolean => {
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hash) return false;
  return prefixes.some((prefix) => {
    try {
      const allowed = new URL(prefix);
      const base = allowed.pathname;
      const underBase = base.endsWith('/') ? base : `${base}/`;
      return url.origin === allowed.origin && (url.pathname === base || url.pathname.startsWith(underBase));
    } catch {
      return false;
    }
  });
};

const authorizationCodeComponent = (deps: Pick<UseCaseDependencies, 'components'>, componentId: string) => {
  const component = deps.components.require(componentId);
  if (component.provider?.grant !== 'authorization_code' || !component.provider.authorizationUrl) {
    throw validationFailed([
      { path: 'body.componentId', message: 'is not a component people connect with OAuth2' },
    ]);
  }
  return component;
};

/**
 * `POST /connect-sessions`: the start of the authorization-code flow with PKCE. The answer's
 * `authorizationUrl` is where the person consents; the provider sends the browser back to
 * `/oauth2/callback` with a code and the one-time `state`.
 */
export const startConnect = async (
  deps: Pick<
    UseCaseDependencies,
    'connect' | 'components' | 'credentials' | 'oauthApps' | 'connectSessions' | 'clock' | 'ids'
  >,
  actor: Actor,
  input: StartConnectInput,
) => {
  const callbackUrl = deps.connect.callbackUrl;
  if (!callbackUrl)
    throw connectFailed('not_configured', 'This deployment has no OAuth2 callback URL configured.');
  const component = authorizationCodeComponent(deps, input.componentId);
  const provider = component.provider as NonNullable<ComponentDefinition['provider']>;
  if (input.returnUrl !== undefined && !allowedReturnUrl(input.returnUrl, deps.connect.returnUrls)) {
    throw validationFailed([
      { path: 'body.returnUrl', message: 'is not on the deployment’s list of return URLs' },
    ]);
  }
  if (input.credentialId !== undefined) {
    const existing = await getCredential(deps, actor, input.credentialId);
    if (existing.componentId !== component.id) {
      throw validationFailed([
        { path: 'body.credentialId', message: `is not a credential of '${component.id}'` },
      ]);
    }
  }
  const app = await deps.oauthApps.get(actor.tenantId, component.id);
  if (!app) {
    throw new AppError(
      'oauth_app_missing',
      `No OAuth app is registered for '${component.id}': PUT /oauth-apps/${component.id} first.`,
      { extensions: { componentId: component.id } },
    );
  }
  const now = deps.clock.now();
  const sessionId = deps.ids.next();
  const secret = base64url(randomBytes(32));
  const state = `${actor.tenantId}.${sessionId}.${secret}`;
  const codeVerifier = base64url(randomBytes(32));
  const nonce = base64url(randomBytes(16));
  const scopes = input.scopes ?? app.scopes ?? provider.scopes;
  const expiresAt = new Date(now.getTime() + CONNECT_SESSION_MINUTES * 60_000).toISOString();
  const session: ConnectSession = {
    tenantId: actor.tenantId,
    sessionId,
    componentId: component.id,
    name: input.name ?? null,
    credentialId: input.credentialId ?? null,
    scopes: [...scopes],
    returnUrl: input.returnUrl ?? null,
    stateHash: sha256(secret).toString('hex'),
    codeVerifier: provider.pkce === false ? null : codeVerifier,
    nonce,
    status: 'pending',
    reason: null,
    resultCredentialId: null,
    createdBy: actor.subject,
    createdAt: now.toISOString(),
    expiresAt,
  };
  await deps.connectSessions.create(session);

  const authorizationUrl = new URL(provider.authorizationUrl as string);
  const parameters: Record<string, string> = {
    response_type: 'code',
    client_id: app.clientId,
    redirect_uri: callbackUrl,
    state,
    ...(scopes.length > 0 ? { scope: scopes.join(' ') } : {}),
    ...(provider.pkce === false
      ? {}
      : { code_challenge: base64url(sha256(codeVerifier)), code_challenge_method: 'S256' }),
    ...(scopes.includes('openid') ? { nonce } : {}),
    ...provider.authorizationParams,
  };
  for (const [name, value] of Object.entries(parameters)) authorizationUrl.searchParams.set(name, value);
  return { session, authorizationUrl: authorizationUrl.toString() };
};

export const getConnectSession = async (
  deps: Pick<UseCaseDependencies, 'connectSessions'>,
  actor: Actor,
  sessionId: string,
): Promise<ConnectSession> => {
  const session = await deps.connectSessions.get(actor.tenantId, sessionId);
  if (!session) throw notFound('Connect session');
  return session;
};

export interface CallbackQuery {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  /** The authorization server that answered (RFC 9207), when it says. */
  readonly iss?: string;
}

export type CallbackOutcome =
  | {
      readonly kind: 'connected';
      readonly session: ConnectSession;
      readonly credentialId: string;
      readonly componentName: string;
    }
  | { readonly kind: 'failed'; readonly session?: ConnectSession; readonly reason: string };

const REFUSALS = {
  unknown: 'unknown_state',
  mismatch: 'unknown_state',
  used: 'state_already_used',
  expired: 'session_expired',
} as const;

/**
 * `GET /oauth2/callback`: accepts a state once, within its expiry; exchanges the code with the
 * PKCE verifier and the tenant's app at the component's own token URL; stores the credential as
 * `POST /credentials` does (verified, audited, evented), or re-connects the one the session names.
 * Every failure ends the session as `failed` with a reason and stores nothing. A state that does
 * not match its session (tampered, unknown) touches no session at all.
 */
const RETRIES = 3;

/** A write retried on AWS's transient failures (throttling, 5xx, a lost connection), briefly. */
const retryTransient = async <T>(write: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= RETRIES || error instanceof AppError || !isTransientFailure(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
};

export const completeConnect = async (
  deps: UseCaseDependencies,
  query: CallbackQuery,
): Promise<CallbackOutcome> => {
  const parsed = query.state ? parseState(query.state) : undefined;
  if (!parsed) return { kind: 'failed', reason: 'unknown_state' };
  if (deps.tenantScope !== undefined && parsed.tenantId !== deps.tenantScope)
    return { kind: 'failed', reason: 'unknown_state' };
  const claimed = await deps.connectSessions.claim(
    parsed.tenantId,
    parsed.sessionId,
    sha256(parsed.secret).toString('hex'),
    deps.clock.now(),
  );
  if ('refused' in claimed) {
    if (claimed.refused === 'expired')
      await deps.connectSessions.finish(parsed.tenantId, parsed.sessionId, {
        status: 'failed',
        reason: 'session_expired',
      });
    return { kind: 'failed', reason: REFUSALS[claimed.refused] };
  }
  const { session } = claimed;
  const fail = async (reason: string): Promise<CallbackOutcome> => {
    await deps.connectSessions.finish(session.tenantId, session.sessionId, { status: 'failed', reason });
    deps.logger.info('connect failed', {
      sessionId: session.sessionId,
      componentId: session.componentId,
      reason,
    });
    return { kind: 'failed', session: { ...session, status: 'failed', reason }, reason };
  };
  const component = deps.components.get(session.componentId);
  // RFC 9207: checked before anything else the response says, an error included.
  const issuer = component.provider?.issuer;
  if (issuer !== undefined && query.iss !== undefined && query.iss !== issuer) return fail('issuer_mismatch');
  if (component.provider?.issuerInResponse && query.iss === undefined) return fail('issuer_missing');
  if (query.error !== undefined)
    return fail(`provider_error:${query.error.replace(/[^a-z_]/g, '').slice(0, 40)}`);
  if (!query.code) return fail('missing_code');

  const actor: Actor = { tenantId: session.tenantId, subject: session.createdBy };
  try {
    const client = await providerTokenClient(deps, session.tenantId, component);
    const exchange = await deps.tokens.exchangeCode(
      client,
      {
        code: query.code,
        redirectUri: deps.connect.callbackUrl ?? '',
        ...(session.codeVerifier ? { codeVerifier: session.codeVerifier } : {}),
      },
      deps.refresh.tokenTimeoutMs,
    );
    if (exchange.kind !== 'answered')
      return fail(`token_endpoint_unreachable:${exchange.detail}`.slice(0, 80));
    const answer = interpretTokenResponse(exchange.status, exchange.body, deps.clock.now());
    if (answer.kind === 'refused') return fail(`token_exchange_refused:${answer.error}`);
    if (answer.kind !== 'tokens') return fail(`token_exchange_failed:${exchange.status}`);
    const tokens = applyTokens({}, answer.tokens, component);
    const fields = {
      ...(tokens.instanceUrl === undefined ? {} : { instanceUrl: tokens.instanceUrl }),
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? null,
      scope: tokens.scope ?? (session.scopes.length > 0 ? session.scopes.join(' ') : null),
      expiresAt: tokens.expiresAt ?? null,
      // A re-connect without a stated lifetime clears the old grant's.
      ...(component.fields.some((field) => field.name === 'refreshTokenExpiresAt')
        ? { refreshTokenExpiresAt: tokens.refreshTokenExpiresAt ?? null }
        : {}),
    };
    // Retried on AWS's transient failures: the create is idempotent on the session (a retry whose
    // first attempt did land returns that credential), and a re-connect's update is a put of the
    // same tokens.
    const credential = await retryTransient(async () =>
      session.credentialId
        ? updateCredential(deps, actor, { credentialId: session.credentialId, expectedVersion: '*', fields })
        : (
            await createCredential(deps, actor, {
              componentId: component.id,
              ...(session.name ? { name: session.name } : {}),
              fields: Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null)),
              idempotencyKey: `connect-${session.sessionId}`,
            })
          ).credential,
    );
    // The credential is stored: whatever happens to the session record now, that is what the
    // person is told. A session left `exchanging` expires with its TTL.
    await retryTransient(() =>
      deps.connectSessions.finish(session.tenantId, session.sessionId, {
        status: 'connected',
        credentialId: credential.id,
      }),
    ).catch((error: unknown) =>
      deps.logger.warn('connect session not marked connected; the credential is stored', {
        sessionId: session.sessionId,
        credentialId: credential.id,
        ...describeError(error),
      }),
    );
    return {
      kind: 'connected',
      session: { ...session, status: 'connected', resultCredentialId: credential.id },
      credentialId: credential.id,
      componentName: component.name,
    };
  } catch (error) {
    // AWS busy, after retries: whether the credential was stored is not known here, so the person
    // is asked to try again (503), never told that nothing was stored.
    const transient =
      error instanceof AppError ? error.code === 'upstream_unavailable' : isTransientFailure(error);
    if (transient) {
      await deps.connectSessions
        .finish(session.tenantId, session.sessionId, { status: 'failed', reason: 'upstream_unavailable' })
        .catch(() => undefined);
      throw error;
    }
    // A refusal (create and update store all or nothing): nothing half-done is left.
    const reason =
      error instanceof AppError
        ? error.code === 'verification_failed'
          ? `verification_failed:${String(error.extensions.reason ?? 'unknown')}`
          : error.code
        : 'internal_error';
    if (!(error instanceof AppError))
      deps.logger.error('connect callback failed', { sessionId: session.sessionId, ...describeError(error) });
    return fail(reason);
  }
};
