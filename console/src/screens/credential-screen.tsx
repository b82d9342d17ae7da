import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type Api,
  type AuditRecord,
  type Component,
  type Credential,
  etagOf,
  type Problem,
  problemOf,
  unwrap,
} from '../api/client';
import { allows } from '../auth';
import { connectReturnUrl } from '../connect-return';
import {
  Busy,
  ConfirmDialog,
  formatTime,
  nameStartsWith,
  ProblemMessage,
  REASON_WORDS,
  StatusBadge,
  useSettled,
  useSingleFlight,
  useTitle,
} from '../ui';
import { FieldInput, faultyField } from './credential-form';

interface BlockingFlow {
  flowId: string;
  flowName: string;
  flowStatus: string;
  stepIds: string[];
}

/** A credential: Edit, Re-verify, Reconnect (OAuth2), Delete (with Move to another credential), and its audit trail. */
export const CredentialScreen = ({ api, credentialId }: { api: Api; credentialId: string }) => {
  const [credential, setCredential] = useState<Credential | null>(null);
  const [component, setComponent] = useState<Component | null>(null);
  const [etag, setEtag] = useState('*');
  const [audit, setAudit] = useState<AuditRecord[] | null>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState('');
  const [plain, setPlain] = useState<Record<string, string>>({});
  const [replacing, setReplacing] = useState<Record<string, string>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [blocking, setBlocking] = useState<BlockingFlow[] | null>(null);
  const [alternatives, setAlternatives] = useState<Credential[]>([]);
  const [moveTo, setMoveTo] = useState('');
  const [alternativesCursor, setAlternativesCursor] = useState<string | null>(null);
  const [moveSearch, setMoveSearch] = useState('');
  const movingTo = useSettled(moveSearch.trim());
  const [deleted, setDeleted] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);
  // An outcome takes focus where it is told: the notice, the refusal's flows, or the deleted page.
  useEffect(() => {
    if (notice || blocking || deleted) document.querySelector<HTMLElement>('[data-outcome]')?.focus();
  }, [notice, blocking, deleted]);
  // Edit moves focus into the form; Replace, to the field it opened.
  const [focusField, setFocusField] = useState<string | null>(null);
  useEffect(() => {
    if (!focusField) return;
    document.getElementById(focusField)?.focus();
    setFocusField(null);
  }, [focusField]);

  const fail = (error: unknown) => setProblem(problemOf(error));
  useTitle(
    credential ? (credential.name ?? `${component?.name ?? credential.componentId} credential`) : undefined,
  );

  const load = async () => {
    setProblem(null);
    const result = await api.GET('/credentials/{credentialId}', { params: { path: { credentialId } } });
    const loaded = unwrap(result);
    setCredential(loaded);
    setEtag(etagOf(result.response));
    setName(loaded.name ?? '');
    setPlain(Object.fromEntries(Object.entries(loaded.fields).map(([key, value]) => [key, String(value)])));
    setReplacing({});
    const [componentResult, auditResult] = await Promise.all([
      api.GET('/components/{componentId}', { params: { path: { componentId: loaded.componentId } } }),
      // A sign-in without audit:read sees the credential, not its trail.
      allows('audit:read')
        ? api.GET('/credentials/{credentialId}/audit', { params: { path: { credentialId } } })
        : undefined,
    ]);
    setComponent(unwrap(componentResult));
    setAudit(auditResult ? unwrap(auditResult).items : null);
  };
  useEffect(() => {
    load().catch(fail);
  }, [api, credentialId]);

  const once = useSingleFlight();
  const run = (label: string, action: () => Promise<void>) =>
    once(async () => {
      setBusy(label);
      setProblem(null);
      setNotice(null);
      try {
        await action();
      } catch (error) {
        fail(error);
      } finally {
        setBusy(null);
      }
    });

  const save = (event: Event) => {
    event.preventDefault();
    return run('Saving', async () => {
      if (!credential || !component) return;
      setFieldErrors({});
      const changed = Object.fromEntries(
        component.fields
          .filter(
            (field) =>
              !field.secret && (plain[field.name] ?? '') !== String(credential.fields[field.name] ?? ''),
          )
          .map((field) => [
            field.name,
            field.type === 'integer' ? Number(plain[field.name]) : plain[field.name] || null,
          ]),
      );
      const secrets = Object.fromEntries(Object.entries(replacing).filter(([, value]) => value !== ''));
      const fields = { ...changed, ...secrets };
      const body = {
        ...(name !== (credential.name ?? '') ? { name: name || null } : {}),
        ...(Object.keys(fields).length > 0 ? { fields } : {}),
      };
      if (Object.keys(body).length === 0) {
        setEditing(false);
        return;
      }
      const result = await api.PATCH('/credentials/{credentialId}', {
        params: { path: { credentialId }, header: { 'If-Match': etag } },
        body,
      });
      if (!result.response.ok) {
        const refused = result.error as Problem & { secretFields?: string[]; reason?: string };
        // A refused verification is said at the field at fault, as the create form says it.
        if (refused?.code === 'verification_failed') {
          const at = faultyField(component, refused.reason);
          if (at) {
            setFieldErrors({ [at]: REASON_WORDS[refused.reason ?? ''] ?? refused.detail });
            // The person goes where the fix is: the field at fault.
            setFocusField(`field-${at}`);
          }
        }
        // Changing where secrets go needs them again: open Replace for each one named.
        if (refused?.code === 'secrets_required' && refused.secretFields)
          setReplacing(
            Object.fromEntries(refused.secretFields.map((field) => [field, replacing[field] ?? ''])),
          );
      }
      unwrap(result);
      setEditing(false);
      // Said once the screen shows the saved credential: the action is over, the next click counts.
      await load();
      setNotice('Saved.');
    });
  };

  /** Connects the same account again (a new consent at the provider), for this very credential. */
  const reconnect = () =>
    run('Reconnecting', async () => {
      if (!credential) return;
      const session = unwrap(
        await api.POST('/connect-sessions', {
          body: {
            componentId: credential.componentId,
            credentialId: credential.id,
            returnUrl: connectReturnUrl(credential.componentId),
          },
        }),
      );
      window.location.assign(session.authorizationUrl);
    });

  const verify = () =>
    run('Verifying', async () => {
      const result = unwrap(
        await api.POST('/credentials/{credentialId}/verify', { params: { path: { credentialId } } }),
      );
      const reason = result.verification.reason;
      await load();
      setNotice(
        result.verification.outcome === 'verified'
          ? 'Verified: the API accepted the credential.'
          : result.verification.outcome === 'failed'
            ? `Not verified: ${REASON_WORDS[reason ?? ''] ?? result.verification.detail ?? ''}`
            : `Not verified: ${result.verification.detail ?? ''}`,
      );
    });

  const remove = () =>
    run('Deleting', async () => {
      const result = await api.DELETE('/credentials/{credentialId}', { params: { path: { credentialId } } });
      if (result.response.status === 409) {
        const refused = result.error as Problem & { blockingFlows?: BlockingFlow[] };
        setBlocking(refused.blockingFlows ?? []);
        setConfirmDelete(false);
        await loadAlternatives(null);
      }
      unwrap(result);
      setDeleted(true);
    });

  /**
   * The credentials flows can move to: the component's others, a page at a time, or those whose
   * name starts with what was typed (the API searches them all).
   */
  const loadAlternatives = async (after: string | null, named = movingTo, current = () => true) => {
    const page = unwrap(
      await api.GET('/credentials', {
        params: {
          query: {
            componentId: credential?.componentId ?? '',
            limit: 100,
            ...(named ? { name: named } : {}),
            ...(after ? { cursor: after } : {}),
          },
        },
      }),
    );
    if (!current()) return;
    const others = page.items.filter((candidate) => candidate.id !== credentialId);
    setAlternatives((previous) => (after ? [...previous, ...others] : others));
    setAlternativesCursor(page.nextCursor);
  };
  // A new search asks the API again; only the latest search's answer is shown.
  useEffect(() => {
    if (!blocking) return;
    let current = true;
    loadAlternatives(null, movingTo, () => current).catch((error) => {
      if (current) setProblem(problemOf(error));
    });
    return () => {
      current = false;
    };
  }, [movingTo]);

  const moveAndDelete = () =>
    run('Moving flows and deleting', async () => {
      unwrap(
        await api.POST('/credentials/{credentialId}/replace', {
          params: { path: { credentialId } },
          body: { replacementId: moveTo },
        }),
      );
      unwrap(await api.DELETE('/credentials/{credentialId}', { params: { path: { credentialId } } }));
      setBlocking(null);
      setDeleted(true);
    });

  if (deleted)
    return (
      <section>
        <h1 data-outcome tabIndex={-1}>
          Credential deleted
        </h1>
        <p role="status">The credential was deleted; its secret is scheduled for deletion.</p>
        <a href="#/credentials">Back to credentials</a>
      </section>
    );
  if (!credential || !component)
    return problem ? (
      <ProblemMessage problem={problem} onRetry={() => load().catch(fail)} />
    ) : (
      <Busy label="Loading credential" />
    );
  const stale = problem?.code === 'version_mismatch';
  const canWrite = allows('credentials:write');
  return (
    <section aria-labelledby="credential-title">
      <p>
        <a href={`#/components/${credential.componentId}`}>← {component.name}</a>
      </p>
      <h1 id="credential-title">{credential.name ?? credential.id}</h1>
      <p>
        <StatusBadge status={credential.status} /> {credential.statusReason} · last verified{' '}
        {formatTime(credential.lastVerifiedAt)} · used by {credential.flowCount} flow(s)
      </p>
      {notice && (
        <p class="notice" role="status" data-outcome tabIndex={-1}>
          {notice}
        </p>
      )}
      {problem && (
        <ProblemMessage
          problem={
            stale
              ? {
                  ...problem,
                  title: 'Someone else changed this credential',
                  detail: 'Reload it to see their change, then edit again.',
                }
              : problem
          }
        >
          {stale && (
            <button type="button" onClick={() => load().catch(fail)}>
              Reload
            </button>
          )}
        </ProblemMessage>
      )}
      {busy && <Busy label={busy} />}
      {!editing ? (
        <dl class="fields">
          {component.fields.map((field) => (
            <div key={field.name}>
              <dt>{field.label}</dt>
              <dd>
                {field.secret
                  ? credential.secretFieldsSet.includes(field.name)
                    ? 'set'
                    : 'not set'
                  : String(credential.fields[field.name] ?? '—')}
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <form class="panel" onSubmit={save} aria-label="Edit credential" noValidate>
          <div class="field">
            <label for="field-name">Account name</label>
            <input
              id="field-name"
              value={name}
              onInput={(event) => setName((event.target as HTMLInputElement).value)}
            />
          </div>
          {component.fields
            .filter((field) => !field.secret && !field.heldByService)
            .map((field) => (
              <FieldInput
                key={field.name}
                field={field}
                required={field.required}
                value={plain[field.name] ?? ''}
                error={fieldErrors[field.name]}
                onInput={(value) => {
                  setPlain((previous) => ({ ...previous, [field.name]: value }));
                  setFieldErrors(({ [field.name]: _fixed, ...others }) => others);
                }}
              />
            ))}
          {component.fields
            .filter((field) => field.secret)
            .map((field) =>
              field.name in replacing ? (
                <FieldInput
                  key={field.name}
                  field={field}
                  required={field.required}
                  value={replacing[field.name] ?? ''}
                  error={fieldErrors[field.name]}
                  onInput={(value) => {
                    setReplacing((previous) => ({ ...previous, [field.name]: value }));
                    setFieldErrors(({ [field.name]: _fixed, ...others }) => others);
                    setProblem(null);
                  }}
                />
              ) : (
                <div class="field" key={field.name}>
                  <span>
                    {field.label}: {credential.secretFieldsSet.includes(field.name) ? 'set' : 'not set'}{' '}
                  </span>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      setReplacing((previous) => ({ ...previous, [field.name]: '' }));
                      setFocusField(`field-${field.name}`);
                    }}
                  >
                    Replace {field.label}
                  </button>
                </div>
              ),
            )}
          <div class="actions">
            <button type="submit">Save changes</button>
            <button type="button" class="secondary" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {!canWrite && <p class="help">Your sign-in can view this credential but not change it.</p>}
      {canWrite && (
        <div class="actions">
          {!editing && (
            <button
              type="button"
              onClick={() => {
                setEditing(true);
                setFocusField('field-name');
              }}
            >
              Edit
            </button>
          )}
          <button type="button" onClick={verify}>
            Re-verify
          </button>
          {component?.connectable && (
            <button type="button" onClick={reconnect}>
              Reconnect
            </button>
          )}
          <button type="button" class="danger" ref={deleteButton} onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        </div>
      )}
      {confirmDelete && (
        <ConfirmDialog
          title="Delete this credential? Flows can no longer use it."
          confirmLabel="Yes, delete"
          opener={deleteButton.current}
          onConfirm={() => {
            setConfirmDelete(false);
            remove();
          }}
          onCancel={() => setConfirmDelete(false)}
        />
      )}
      {blocking && (
        <section class="panel" aria-labelledby="blocking-title">
          <h2 id="blocking-title" data-outcome tabIndex={-1}>
            Active flows use this credential
          </h2>
          <p>
            Deactivate them, or move them to another credential of the same component, then it can be deleted.
          </p>
          <ul>
            {blocking.map((flow) => (
              <li key={flow.flowId}>
                <a href={`#/flows/${flow.flowId}`}>{flow.flowName}</a> ({flow.flowStatus}) — steps{' '}
                {flow.stepIds.join(', ')}
              </li>
            ))}
          </ul>
          <div class="field">
            <label for="move-search">Find a credential by name</label>
            <input
              id="move-search"
              type="search"
              value={moveSearch}
              onInput={(event) => setMoveSearch((event.target as HTMLInputElement).value)}
            />
          </div>
          <div class="field">
            <label for="move-to">Move to another credential</label>
            <select
              id="move-to"
              value={moveTo}
              onChange={(event) => setMoveTo((event.target as HTMLSelectElement).value)}
            >
              <option value="">Choose a credential</option>
              {alternatives
                .filter((candidate) => !movingTo || nameStartsWith(candidate.name, movingTo))
                .map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name ?? candidate.id}
                  </option>
                ))}
            </select>
          </div>
          <div class="actions">
            {alternativesCursor && (
              <button
                type="button"
                class="secondary"
                onClick={() => run('Loading more credentials', () => loadAlternatives(alternativesCursor))}
              >
                Load more credentials to choose from
              </button>
            )}
            <button type="button" disabled={!moveTo} onClick={moveAndDelete}>
              Move and delete
            </button>
          </div>
        </section>
      )}
      <h2>Audit trail</h2>
      {audit === null ? (
        <p>Your sign-in does not include the audit trail.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Audit trail</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Who</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((record) => (
              <tr key={`${record.at}-${record.action}`}>
                <td>{formatTime(record.at)}</td>
                <td>{record.action}</td>
                <td>{record.actor}</td>
                <td>
                  {record.detail ??
                    (record.flowId ? `flow ${record.flowId}, step ${record.stepId ?? ''}` : '')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};
