import { UserManager } from 'oidc-client-ts';

const KEY = 'credentials-console-token';

export interface ConsoleConfig {
  /** Where the API is; empty when the console is served by the API's own origin (npm start). */
  readonly apiUrl: string;
  /** The tenant's identity provider, for sign-in in AWS (authorization code with PKCE). */
  readonly oidc?: {
    readonly authority: string;
    readonly clientId: string;
    readonly scope: string;
    /** The API identifier (Auth0 and others): the provider then issues a JWT access token for it. */
    readonly audience?: string;
  };
  /** How long a request may go unanswered before the console gives it up and offers Retry. @default 25 s */
  readonly requestTimeoutMs?: number;
}

/**
 * The token lives in session storage only. Locally (no identity provider configured) it arrives in
 * the URL fragment (`#token=…`, which never reaches a server). With a provider, a fragment token is
 * never taken: a link carrying someone else's token must not replace the session (login CSRF).
 * Either way the fragment is removed at once, also when it appears after the page loaded.
 */
export const takeTokenFromFragment = (config: ConsoleConfig): void => {
  if (!window.location.hash.startsWith('#token=')) return;
  const match = /^#token=([A-Za-z0-9._-]+)$/.exec(window.location.hash);
  if (match?.[1] && !config.oidc) {
    sessionStorage.setItem(KEY, match[1]);
    // A link pasted into a tab already open (the sign-in form showing): the console follows.
    window.dispatchEvent(new Event(TOKEN_CHANGED));
  }
  history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/credentials`);
};

/** Sent on `window` when the session's token changed outside the console's own controls. */
export const TOKEN_CHANGED = 'credentials-console-token-changed';

export const currentToken = (): string | null => sessionStorage.getItem(KEY);

export const signOut = (): void => sessionStorage.removeItem(KEY);

/** Locally: a token pasted at the sign-in prompt (from `npm run token`). False if it cannot be one. */
export const signInWithToken = (token: string): boolean => {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token.trim())) return false;
  sessionStorage.setItem(KEY, token.trim());
  return true;
};

/**
 * Whether the session's token grants `scope` (a provider may prefix it, as Cognito does:
 * `<resource server>/credentials:write`). Only to hide what would be refused: the API decides.
 */
export const allows = (scope: string): boolean => {
  const payload = currentToken()?.split('.')[1];
  if (!payload) return false;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { scope?: unknown };
    if (typeof claims.scope !== 'string') return true;
    return claims.scope.split(' ').some((granted) => granted === scope || granted.endsWith(`/${scope}`));
  } catch {
    return true;
  }
};

/** The sign-in-again popup's window name: how the page loaded in it knows it is one. */
const POPUP_NAME = 'credentials-console-sign-in';

const userManager = (config: ConsoleConfig) =>
  config.oidc
    ? new UserManager({
        authority: config.oidc.authority,
        client_id: config.oidc.clientId,
        redirect_uri: `${window.location.origin}${window.location.pathname}`,
        scope: config.oidc.scope,
        response_type: 'code',
        popupWindowTarget: POPUP_NAME,
        ...(config.oidc.audience ? { extraQueryParams: { audience: config.oidc.audience } } : {}),
      })
    : undefined;

/** In AWS: the tenant's identity provider, with oidc-client-ts (authorization code + PKCE). */
export const signInWithProvider = async (config: ConsoleConfig): Promise<void> => {
  await userManager(config)?.signinRedirect();
};

/**
 * When a session ends mid-task: the provider's sign-in in a popup, so the page (and what the
 * person typed) stays as it is.
 */
export const signInAgainWithProvider = async (config: ConsoleConfig): Promise<void> => {
  const user = await userManager(config)?.signinPopup();
  if (user) sessionStorage.setItem(KEY, user.access_token);
};

/**
 * Completes a provider sign-in when the browser comes back with `?code=&state=`: in the popup of
 * a sign-in again (true: it hands the answer to the console that opened it, and closes), or in
 * the console itself.
 */
export const completeProviderSignIn = async (config: ConsoleConfig): Promise<boolean> => {
  const manager = userManager(config);
  const parameters = new URLSearchParams(window.location.search);
  if (!manager || !parameters.has('code') || !parameters.has('state')) return false;
  if (window.opener && window.name === POPUP_NAME) {
    await manager.signinPopupCallback();
    return true;
  }
  const user = await manager.signinRedirectCallback();
  sessionStorage.setItem(KEY, user.access_token);
  history.replaceState(null, '', `${window.location.pathname}#/credentials`);
  return false;
};
