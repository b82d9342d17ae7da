import { useEffect, useState } from 'preact/hooks';
import { type Api, type Component, type Credential, type Problem, problemOf, unwrap } from '../api/client';
import { allows } from '../auth';
import { connectReturnUrl } from '../connect-return';
import { Markdown } from '../markdown';
import { Busy, CredentialStatus, formatTime, ProblemMessage, useSingleFlight, useTitle } from '../ui';
import { CredentialForm } from './credential-form';
import { OAuthAppPanel } from './oauth-app-panel';

/** One component: its credentials (paginated), and Create New Credential or Connect. */
export const ComponentScreen = ({
  api,
  componentId,
  callbackUrl,
}: {
  api: Api;
  componentId: string;
  /** The redirect URI providers send people back to (the API's callback). */
  callbackUrl: string;
}) => {
  const [appReady, setAppReady] = useState<boolean | null>(null);
  const [component, setComponent] = useState<Component | null>(null);
  const [items, setItems] = useState<Credential[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  useEffect(() => {
    if (focusRow === null) return;
    document.querySelectorAll<HTMLElement>('tbody tr a')[focusRow]?.focus();
    setFocusRow(null);
  }, [focusRow, items]);
  // The outcome of a create is announced and takes focus, where the list shows the new credential.
  useEffect(() => {
    if (created) document.querySelector<HTMLElement>('[data-outcome]')?.focus();
  }, [created]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const fail = (error: unknown) => setProblem(problemOf(error));
  useTitle(component?.name);

  const loadPage = async (after: string | null) => {
    setLoading(true);
    try {
      const page = unwrap(
        await api.GET('/credentials', {
          params: { query: { componentId, limit: 20, ...(after ? { cursor: after } : {}) } },
        }),
      );
      setItems((previous) => {
        // After "Load more", focus goes to the first credential it brought, not back to the top.
        if (after && page.items.length > 0) setFocusRow(previous.length);
        return after ? [...previous, ...page.items] : page.items;
      });
      setCursor(page.nextCursor);
    } catch (error) {
      fail(error);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    api
      .GET('/components/{componentId}', { params: { path: { componentId } } })
      .then((result) => setComponent(unwrap(result)))
      .catch(fail);
    loadPage(null);
  }, [api, componentId]);

  const once = useSingleFlight();
  const connect = () =>
    once(async () => {
      setProblem(null);
      try {
        const returnUrl = connectReturnUrl(componentId);
        const session = unwrap(await api.POST('/connect-sessions', { body: { componentId, returnUrl } }));
        window.location.assign(session.authorizationUrl);
      } catch (error) {
        fail(error);
      }
    });
  const canWrite = allows('credentials:write');

  const retry = () => {
    setProblem(null);
    api
      .GET('/components/{componentId}', { params: { path: { componentId } } })
      .then((result) => setComponent(unwrap(result)))
      .catch(fail);
    loadPage(null);
  };
  if (!component)
    return problem ? (
      <ProblemMessage problem={problem} onRetry={retry} />
    ) : (
      <Busy label="Loading component" />
    );
  return (
    <section aria-labelledby="component-title">
      <p>
        <a href="#/credentials">← All components</a>
      </p>
      <h1 id="component-title">{component.name}</h1>
      <Markdown text={component.description} />
      {component.docsUrl && (
        <p>
          <a href={component.docsUrl} target="_blank" rel="noopener noreferrer">
            {component.name} documentation<span class="visually-hidden"> (opens in a new tab)</span>
          </a>
        </p>
      )}
      {problem && <ProblemMessage problem={problem} onRetry={items.length === 0 ? retry : undefined} />}
      {created && (
        <p class="notice" role="status" data-outcome tabIndex={-1}>
          Created {created}: verified and saved.
        </p>
      )}
      {!canWrite ? (
        <p class="help">Your sign-in can view these credentials but not add any.</p>
      ) : component.connectable ? (
        <>
          <button
            type="button"
            onClick={connect}
            disabled={appReady === false}
            aria-describedby="oauth-app-title"
          >
            Connect {component.name}
          </button>
          <OAuthAppPanel api={api} component={component} callbackUrl={callbackUrl} onReady={setAppReady} />
        </>
      ) : (
        !creating && (
          <button
            type="button"
            onClick={() => {
              setCreated(null);
              setCreating(true);
            }}
          >
            Create New Credential
          </button>
        )
      )}
      {creating && (
        <CredentialForm
          api={api}
          component={component}
          onCancel={() => setCreating(false)}
          onCreated={(credential) => {
            setCreating(false);
            setItems((previous) => [credential, ...previous]);
            setCreated(credential.name ?? `${component.name} credential`);
          }}
        />
      )}
      <h2>Credentials</h2>
      {items.length === 0 && !loading ? (
        <p>No credentials yet.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Credentials of {component.name}</caption>
          <thead>
            <tr>
              <th scope="col">Account name</th>
              <th scope="col">Status</th>
              <th scope="col">Last verified</th>
              <th scope="col">Flows</th>
            </tr>
          </thead>
          <tbody>
            {items.map((credential) => (
              <tr key={credential.id}>
                <td>
                  <a href={`#/credential/${credential.id}`}>{credential.name ?? credential.id}</a>
                </td>
                <td>
                  <CredentialStatus credential={credential} />
                </td>
                <td>{formatTime(credential.lastVerifiedAt)}</td>
                <td>{credential.flowCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {loading && <Busy label="Loading credentials" />}
      {cursor && !loading && (
        <button type="button" onClick={() => loadPage(cursor)}>
          Load more
        </button>
      )}
    </section>
  );
};
