/** What a Connect came back with: the provider sent the browser to the callback, which sent it here. */
export interface ConnectReturn {
  readonly componentId: string;
  readonly credentialId?: string;
  readonly error?: string;
}

/** The query parameter the console adds to its return URL, naming the component being connected. */
export const CONNECT_PARAMETER = 'connect';

/** The return URL a Connect of this component comes back to: the console itself, no fragment. */
export const connectReturnUrl = (componentId: string): string => {
  const url = new URL(window.location.pathname, window.location.origin);
  url.searchParams.set(CONNECT_PARAMETER, componentId);
  return url.toString();
};

/**
 * Reads the result of a Connect from the URL and takes it out again (a reload must not announce
 * it twice): a connected credential opens its page, a failure the component's.
 */
export const takeConnectReturn = (): ConnectReturn | null => {
  const parameters = new URLSearchParams(window.location.search);
  const componentId = parameters.get(CONNECT_PARAMETER);
  if (!componentId) return null;
  const credentialId = parameters.get('credentialId') ?? undefined;
  const error = parameters.get('error') ?? undefined;
  const hash = credentialId && !error ? `#/credential/${credentialId}` : `#/components/${componentId}`;
  window.history.replaceState(null, '', `${window.location.pathname}${hash}`);
  return { componentId, ...(credentialId ? { credentialId } : {}), ...(error ? { error } : {}) };
};

const REASONS: Record<string, string> = {
  access_denied: 'you did not give your consent at the provider',
  state_already_used: 'this connection was already used; start a new one',
  session_expired: 'the connection took longer than 10 minutes; start again',
  unknown_state: 'the provider sent back a connection this console did not start',
  issuer_mismatch: 'the answer came from another server than the provider',
  issuer_missing: 'the provider did not say who it is',
  oauth_app_missing: 'no OAuth app is registered for this component; ask an administrator to add one',
  upstream_unavailable: 'the service was busy; try again in a few seconds',
  missing_code: 'the provider sent no authorization',
};

/** A Connect failure in words a person reads (the callback's reasons are codes). */
export const connectFailureText = (error: string): string => {
  const code = error.replace(/^provider_error:/, '').split(':')[0] ?? error;
  if (REASONS[code]) return REASONS[code];
  if (code === 'verification_failed') return 'the provider accepted, but the account could not be verified';
  if (code === 'token_exchange_refused' || code === 'token_exchange_failed')
    return 'the provider refused to issue tokens; check the OAuth app’s client id and secret';
  return 'connecting did not finish; try again';
};
