import { useEffect, useState } from 'preact/hooks';
import { type Api, type Component, type Problem, problemOf, unwrap } from '../api/client';
import { ProblemMessage } from '../ui';

/**
 * The tenant's OAuth app for a provider component: whether one is registered (Connect needs it),
 * the redirect URI to register at the provider, and a form to register or replace it.
 */
export const OAuthAppPanel = ({
  api,
  component,
  callbackUrl,
  onReady,
}: {
  api: Api;
  component: Component;
  callbackUrl: string;
  onReady: (ready: boolean) => void;
}) => {
  const [clientId, setClientId] = useState<string | null | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const [newClientId, setNewClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    api
      .GET('/oauth-apps/{componentId}', { params: { path: { componentId: component.id } } })
      .then((result) => {
        const found = result.response.status === 404 ? null : unwrap(result).clientId;
        setClientId(found);
        onReady(found !== null);
      })
      .catch((error: unknown) => setProblem(problemOf(error)));
  }, [api, component.id]);

  const register = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const app = unwrap(
        await api.PUT('/oauth-apps/{componentId}', {
          params: { path: { componentId: component.id } },
          body: { clientId: newClientId, clientSecret },
        }),
      );
      setClientId(app.clientId);
      setEditing(false);
      setClientSecret('');
      setNotice(`Registered. People can now connect ${component.name} accounts.`);
      onReady(true);
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };

  if (clientId === undefined && !problem) return null;
  return (
    <section class="panel" aria-labelledby="oauth-app-title">
      <h2 id="oauth-app-title">Your {component.name} app</h2>
      {clientId ? (
        <p>
          Connecting uses your organization's app, client <code>{clientId}</code>.
        </p>
      ) : (
        <p>
          Before anyone can connect a {component.name} account, register your organization's app: create an
          OAuth app at {component.name} with the redirect URI below, then enter its client ID and secret here.
        </p>
      )}
      <p>
        Redirect URI to register at {component.name}: <code>{callbackUrl}</code>
      </p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {problem && <ProblemMessage problem={problem} />}
      {clientId && !editing ? (
        <button type="button" class="secondary" onClick={() => setEditing(true)}>
          Replace the app
        </button>
      ) : (
        <form onSubmit={register}>
          <div class="field">
            <label for="app-client-id">Client ID</label>
            <input
              id="app-client-id"
              required
              value={newClientId}
              onInput={(event) => setNewClientId((event.target as HTMLInputElement).value)}
            />
          </div>
          <div class="field">
            <label for="app-client-secret">Client secret</label>
            <input
              id="app-client-secret"
              type="password"
              required
              autocomplete="off"
              value={clientSecret}
              onInput={(event) => setClientSecret((event.target as HTMLInputElement).value)}
            />
          </div>
          <div class="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Registering…' : 'Register the app'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
};
