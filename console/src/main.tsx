import './styles.css';
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { createApi } from './api/client';
import {
  type ConsoleConfig,
  completeProviderSignIn,
  currentToken,
  signOut,
  TOKEN_CHANGED,
  takeTokenFromFragment,
} from './auth';
import { type ConnectReturn, connectFailureText, takeConnectReturn } from './connect-return';
import { AllCredentialsScreen } from './screens/all-credentials-screen';
import { AttentionScreen } from './screens/attention-screen';
import { ComponentScreen } from './screens/component-screen';
import { ComponentsScreen } from './screens/components-screen';
import { CredentialScreen } from './screens/credential-screen';
import { FlowScreen, FlowsScreen } from './screens/flows-screen';
import { SessionEndedDialog, SignIn } from './sign-in';
import { useTitle } from './ui';

const useRoute = () => {
  const [hash, setHash] = useState(window.location.hash || '#/credentials');
  useEffect(() => {
    const onChange = () => setHash(window.location.hash || '#/credentials');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash.replace(/^#\/?/, '').split('?')[0]?.split('/') ?? [];
};

/** Says how a Connect ended, once, where the person lands after the provider. */
const ConnectNotice = ({ result, onDismiss }: { result: ConnectReturn; onDismiss: () => void }) => (
  <div class={result.error ? 'notice error' : 'notice'} role={result.error ? 'alert' : 'status'}>
    <p>
      {result.error
        ? `Not connected: ${connectFailureText(result.error)}.`
        : 'Connected. The account is verified and its credential is ready to use.'}
    </p>
    <button type="button" class="secondary" onClick={onDismiss}>
      Dismiss
    </button>
  </div>
);

/** The redirect URI providers send people back to: the API's own callback (same origin locally). */
const callbackUrlOf = (config: ConsoleConfig): string =>
  `${(config.apiUrl || window.location.origin).replace(/\/$/, '')}/oauth2/callback`;

const App = ({ config, connected }: { config: ConsoleConfig; connected: ConnectReturn | null }) => {
  const [token, setToken] = useState(currentToken());
  useEffect(() => {
    const follow = () => setToken(currentToken());
    window.addEventListener(TOKEN_CHANGED, follow);
    return () => window.removeEventListener(TOKEN_CHANGED, follow);
  }, []);
  const [sessionEnded, setSessionEnded] = useState(false);
  const [signedOut, setSignedOut] = useState(false);
  const [connectNotice, setConnectNotice] = useState(connected);
  const api = useMemo(
    () => createApi(config.apiUrl, currentToken, () => setSessionEnded(true), config.requestTimeoutMs),
    [config.apiUrl],
  );
  const [section, id] = useRoute();
  // The lists name themselves; a component or a credential screen names its own once loaded.
  useTitle(
    section === 'flows'
      ? id
        ? `Flow ${id}`
        : 'Flows'
      : section === 'attention'
        ? 'Needs attention'
        : section === 'all'
          ? 'All credentials'
          : section === 'components' || section === 'credential'
            ? null
            : 'Credentials',
  );
  // A new screen moves focus to its content; the first one leaves focus at the top of the page,
  // where the skip link is the first stop.
  const firstScreen = useRef(true);
  useEffect(() => {
    if (firstScreen.current) {
      firstScreen.current = false;
      return;
    }
    document.querySelector('main')?.focus();
  }, [section, id]);
  // Signed out: the button that had focus is gone, so focus goes to what says so.
  useEffect(() => {
    if (signedOut) document.querySelector<HTMLElement>('[data-signed-out]')?.focus();
  }, [signedOut]);
  if (!token) {
    return (
      <main id="main" tabIndex={-1}>
        <h1>Credentials console</h1>
        {signedOut && (
          <p class="notice" role="status" tabIndex={-1} data-signed-out>
            You are signed out.
          </p>
        )}
        <p>Sign in to manage your tenant's credentials.</p>
        <SignIn
          config={config}
          onSignedIn={() => {
            setSignedOut(false);
            setToken(currentToken());
          }}
        />
      </main>
    );
  }
  const screen =
    section === 'components' && id ? (
      // Keyed: another component (by URL or Back) is a fresh screen, not the last one's form and errors.
      <ComponentScreen key={id} api={api} componentId={id} callbackUrl={callbackUrlOf(config)} />
    ) : section === 'credential' && id ? (
      <CredentialScreen key={id} api={api} credentialId={id} />
    ) : section === 'flows' && id ? (
      <FlowScreen key={id} api={api} flowId={id} />
    ) : section === 'flows' ? (
      <FlowsScreen api={api} />
    ) : section === 'attention' ? (
      <AttentionScreen api={api} />
    ) : section === 'all' ? (
      <AllCredentialsScreen api={api} />
    ) : (
      <ComponentsScreen api={api} />
    );
  return (
    <>
      <button type="button" class="skip" onClick={() => document.querySelector<HTMLElement>('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <nav aria-label="Main">
          <a
            href="#/credentials"
            aria-current={
              section !== 'flows' && section !== 'attention' && section !== 'all' ? 'page' : undefined
            }
          >
            Credentials
          </a>
          <a href="#/all" aria-current={section === 'all' ? 'page' : undefined}>
            All credentials
          </a>
          <a href="#/attention" aria-current={section === 'attention' ? 'page' : undefined}>
            Needs attention
          </a>
          <a href="#/flows" aria-current={section === 'flows' ? 'page' : undefined}>
            Flows
          </a>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              signOut();
              setSignedOut(true);
              setToken(null);
            }}
          >
            Sign out
          </button>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {connectNotice && <ConnectNotice result={connectNotice} onDismiss={() => setConnectNotice(null)} />}
        {screen}
      </main>
      {sessionEnded && (
        <SessionEndedDialog
          config={config}
          onSignedIn={() => {
            setSessionEnded(false);
            setToken(currentToken());
          }}
        />
      )}
    </>
  );
};

const start = async () => {
  const config = (await (await fetch('./config.json')).json()) as ConsoleConfig;
  takeTokenFromFragment(config);
  // Registered before the router's listener, so the router never sees a token in the URL.
  window.addEventListener('hashchange', () => takeTokenFromFragment(config));
  // In the sign-in-again popup, the answer goes to the console that opened it; nothing renders.
  if (await completeProviderSignIn(config).catch(() => false)) return;
  const connected = takeConnectReturn();
  const root = document.getElementById('app');
  if (!root) return;
  // The first-paint placeholder goes; the app renders in its place.
  root.replaceChildren();
  render(<App config={config} connected={connected} />, root);
};
start();
