import { useEffect, useState } from 'preact/hooks';
import { type ConsoleConfig, signInAgainWithProvider, signInWithProvider, signInWithToken } from './auth';
import { useModal } from './ui';

/**
 * How a person signs in, in the deployment's mode: the tenant's identity provider, or locally an
 * access token (the console link `npm start` prints carries one; `npm run token` makes another).
 * `again`: the session ended mid-task, so the provider opens in a popup and the page stays.
 */
export const SignIn = ({
  config,
  again = false,
  onSignedIn,
}: {
  config: ConsoleConfig;
  again?: boolean;
  onSignedIn: () => void;
}) => {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  if (config.oidc)
    return (
      <div class="actions">
        <button
          type="button"
          onClick={async () => {
            setError(null);
            if (!again) return signInWithProvider(config);
            try {
              await signInAgainWithProvider(config);
              onSignedIn();
            } catch {
              setError('Signing in did not finish. Try again (allow the sign-in window if it was blocked).');
            }
          }}
        >
          Sign in
        </button>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!signInWithToken(token)) return setError('That is not an access token. Paste the whole token.');
        setToken('');
        onSignedIn();
      }}
      noValidate
    >
      <div class="field">
        <label for="sign-in-token">Access token</label>
        <input
          id="sign-in-token"
          type="password"
          autocomplete="off"
          value={token}
          aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error ? 'sign-in-token-error sign-in-token-help' : 'sign-in-token-help'}
          onInput={(event) => {
            setToken((event.target as HTMLInputElement).value);
            setError(null);
          }}
        />
        <p id="sign-in-token-help" class="help">
          Locally, the console link printed when the service starts signs you in; a new token comes from{' '}
          <code>npm run token</code>.
        </p>
        {error && (
          <p id="sign-in-token-error" class="field-error">
            {error}
          </p>
        )}
      </div>
      <div class="actions">
        <button type="submit">Sign in</button>
      </div>
    </form>
  );
};

/**
 * The session ended (the API answered 401): a modal that signs in again over the page, so the
 * form and whatever was typed in it stay; the person then repeats what they were doing.
 */
export const SessionEndedDialog = ({
  config,
  onSignedIn,
}: {
  config: ConsoleConfig;
  onSignedIn: () => void;
}) => {
  // Escape would leave a page whose every request is refused: the dialog stays until signed in.
  const dialog = useModal('cancel', (_dialog, event) => event.preventDefault());
  useEffect(() => {
    dialog.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="panel"
      aria-labelledby="session-ended-title"
      aria-describedby="session-ended-text"
    >
      <h2 id="session-ended-title">Your session has ended</h2>
      <p id="session-ended-text">Sign in again to carry on. What you typed is kept.</p>
      <SignIn
        config={config}
        again
        onSignedIn={() => {
          dialog.current?.close();
          onSignedIn();
        }}
      />
    </dialog>
  );
};
