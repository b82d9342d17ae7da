import { useEffect, useState } from 'preact/hooks';
import { type Api, etagOf, type Flow, type Problem, problemOf, unwrap } from '../api/client';
import { allows } from '../auth';
import { Busy, formatTime, Loaded, ProblemMessage, useLoading } from '../ui';

export const FlowsScreen = ({ api }: { api: Api }) => {
  const flows = useLoading(
    async () => unwrap(await api.GET('/flows', { params: { query: { limit: 100 } } })).items,
    [api],
  );
  return (
    <Loaded loading={flows} busy="Loading flows">
      {(items) => (
        <section aria-labelledby="flows-title">
          <h1 id="flows-title">Flows</h1>
          {items.length === 0 ? (
            <p>No flows yet.</p>
          ) : (
            <table>
              <caption class="visually-hidden">Flows</caption>
              <thead>
                <tr>
                  <th scope="col">Flow</th>
                  <th scope="col">Status</th>
                  <th scope="col">Steps</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {items.map((flow) => (
                  <tr key={flow.flowId}>
                    <td>
                      <a href={`#/flows/${flow.flowId}`}>{flow.name}</a>
                    </td>
                    <td>{flow.status}</td>
                    <td>{flow.steps.length}</td>
                    <td>{formatTime(flow.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </Loaded>
  );
};

/** One flow: its steps and credentials; activate or deactivate it. */
export const FlowScreen = ({ api, flowId }: { api: Api; flowId: string }) => {
  const [flow, setFlow] = useState<Flow | null>(null);
  const [etag, setEtag] = useState('*');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const load = async () => {
    const result = await api.GET('/flows/{flowId}', { params: { path: { flowId } } });
    setFlow(unwrap(result));
    setEtag(etagOf(result.response));
  };
  useEffect(() => {
    load().catch((error) => setProblem(problemOf(error)));
  }, [api, flowId]);
  // Steps name their credentials as people do; one read per credential the flow uses.
  const [names, setNames] = useState<Record<string, string>>({});
  const credentialIds = [
    ...new Set(flow?.steps.filter((step) => !step.credentialMissing).map((step) => step.credentialId)),
  ];
  useEffect(() => {
    for (const credentialId of credentialIds)
      api
        .GET('/credentials/{credentialId}', { params: { path: { credentialId } } })
        .then((result) => {
          const credential = unwrap(result);
          setNames((known) => ({
            ...known,
            [credentialId]: credential.name ?? `${credential.componentId} account`,
          }));
        })
        .catch(() => undefined);
  }, [api, credentialIds.join(' ')]);
  const toggle = async () => {
    if (!flow || busy) return;
    setBusy(true);
    setProblem(null);
    setNotice(null);
    try {
      const status = flow.status === 'active' ? 'inactive' : 'active';
      const result = await api.PUT('/flows/{flowId}', {
        params: { path: { flowId }, header: { 'If-Match': etag } },
        body: { name: flow.name, status, steps: flow.steps },
      });
      setFlow(unwrap(result));
      setEtag(etagOf(result.response));
      setNotice(
        status === 'active'
          ? 'Activated: its steps can use their credentials.'
          : 'Deactivated: its steps can no longer use their credentials.',
      );
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  };
  if (!flow) return problem ? <ProblemMessage problem={problem} /> : <Busy label="Loading flow" />;
  const missing = flow.steps.filter((step) => step.credentialMissing);
  const canWrite = allows('flows:write');
  const blockedActivation = flow.status === 'inactive' && missing.length > 0;
  return (
    <section aria-labelledby="flow-title">
      <p>
        <a href="#/flows">← Flows</a>
      </p>
      <h1 id="flow-title">{flow.name}</h1>
      <p>Status: {flow.status}</p>
      {problem && <ProblemMessage problem={problem} />}
      {busy && <Busy label="Saving" />}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {blockedActivation && (
        <p id="activation-blocked" class="notice">
          {missing.length === 1 ? 'One step needs' : `${missing.length} steps need`} a credential: the one it
          used was deleted. Give {missing.length === 1 ? 'it' : 'them'} another credential before activating
          this flow.
        </p>
      )}
      {!canWrite && (
        <p id="flows-read-only" class="help">
          Your sign-in can view flows but not activate or deactivate them.
        </p>
      )}
      <button
        type="button"
        onClick={toggle}
        // Not disabled while saving: a disabled button loses focus; a second click is ignored instead.
        disabled={blockedActivation || !canWrite}
        aria-disabled={busy}
        aria-describedby={
          blockedActivation ? 'activation-blocked' : !canWrite ? 'flows-read-only' : undefined
        }
      >
        {flow.status === 'active' ? 'Deactivate' : 'Activate'}
      </button>
      <h2>Steps</h2>
      <ul>
        {flow.steps.map((step) => (
          <li key={step.stepId}>
            {step.stepId}: {step.componentId} —{' '}
            {step.credentialMissing ? (
              <strong>needs a credential (the one it used was deleted)</strong>
            ) : (
              <a href={`#/credential/${step.credentialId}`}>{names[step.credentialId] ?? 'its credential'}</a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
};
