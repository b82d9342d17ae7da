import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type Api, type ComponentSummary, type Problem, problemOf, unwrap } from './api/client';

/**
 * Every refusal is shown with its title and detail, never as a blank screen. Field issues are
 * listed by their label; those a form already shows at their field (`shownAtFields`) are not
 * said twice.
 */
export const ProblemMessage = ({
  problem,
  children,
  labels = {},
  shownAtFields = [],
  onRetry,
}: {
  problem: Problem;
  children?: ComponentChildren;
  /** Field labels by API path (`fields.apiKey` → "API key"). */
  labels?: Record<string, string>;
  shownAtFields?: readonly string[];
  /** Offered when no answer came or the service failed: the same request again. */
  onRetry?: () => void;
}) => {
  const listed = problem.errors.filter((issue) => !shownAtFields.includes(issue.path));
  const retryable = problem.status === 0 || problem.status >= 500;
  return (
    <div class="problem" role="alert">
      <strong>{problem.title}</strong>
      <p>{problem.detail}</p>
      {listed.length > 0 && (
        <ul>
          {listed.map((issue) => (
            <li key={issue.path}>
              {labels[issue.path] ?? labels[issue.path.replace(/^body\./, '')] ?? 'A value'} {issue.message}
            </li>
          ))}
        </ul>
      )}
      {retryable && onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
      {problem.status === 404 && (
        // What was asked for is not there (deleted, another tenant's, a mistyped link): a way on.
        <p>
          <a href="#/credentials">Back to the components</a>
        </p>
      )}
      {children}
    </div>
  );
};

/** What a screen reads when it opens: nothing yet, the answer, or the problem (with Retry). */
export interface Loading<T> {
  readonly value?: T;
  readonly problem?: Problem;
  readonly retry: () => void;
}

/**
 * Reads `load` when the screen opens and again whenever `inputs` change; an answer that arrives
 * after the inputs changed (or the screen closed) is dropped. Retry reads again.
 */
export const useLoading = <T,>(load: () => Promise<T>, inputs: readonly unknown[]): Loading<T> => {
  const [state, setState] = useState<{ value?: T; problem?: Problem }>({});
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let current = true;
    setState({});
    load().then(
      (value) => current && setState({ value }),
      (error: unknown) => current && setState({ problem: problemOf(error) }),
    );
    return () => {
      current = false;
    };
  }, [...inputs, attempt]);
  const retry = useCallback(() => setAttempt((count) => count + 1), []);
  return { ...state, retry };
};

/** A loading read on screen: its problem with Retry, a busy line, then what `children` make of it. */
export const Loaded = <T,>({
  loading,
  busy,
  children,
}: {
  loading: Loading<T>;
  busy: string;
  children: (value: T) => ComponentChildren;
}) => {
  if (loading.problem) return <ProblemMessage problem={loading.problem} onRetry={loading.retry} />;
  if (loading.value === undefined) return <Busy label={busy} />;
  return <>{children(loading.value)}</>;
};

/** The components with their credential counts (`GET /components`), as every screen reads them. */
export const useComponents = (api: Api): Loading<ComponentSummary[]> =>
  useLoading(async () => unwrap(await api.GET('/components')).items, [api]);

/**
 * One action at a time: a second click (a double-click, an impatient press) while the first is
 * in flight does nothing, so it sends one request. Buttons stay enabled and focused meanwhile.
 */
export const useSingleFlight = () => {
  const running = useRef(false);
  return useCallback(async (action: () => Promise<void>) => {
    if (running.current) return;
    running.current = true;
    try {
      await action();
    } finally {
      running.current = false;
    }
  }, []);
};

export const Busy = ({ label }: { label: string }) => (
  <p class="busy" role="status" aria-live="polite">
    {label}…
  </p>
);

const STATUS_WORDS: Record<string, string> = {
  verified: 'Verified',
  unverified: 'Not verified',
  invalid: 'Invalid',
  unreachable: 'Unreachable',
};

export const StatusBadge = ({ status }: { status: string }) => (
  <span class={`badge badge-${status}`}>{STATUS_WORDS[status] ?? status}</span>
);

/** A credential's status with its reason, as every list of credentials shows it. */
export const CredentialStatus = ({
  credential,
}: {
  credential: { status: string; statusReason?: string | null; expiresSoonAt?: string | null };
}) => (
  <>
    <StatusBadge status={credential.status} />
    {credential.statusReason && <span class="reason"> {credential.statusReason}</span>}
    {credential.expiresSoonAt && (
      <span class="reason">
        {' '}
        {Date.parse(credential.expiresSoonAt) <= Date.now() ? 'Expired' : 'Expires'}{' '}
        {formatTime(credential.expiresSoonAt)}: replace it before then.
      </span>
    )}
  </>
);

/** Verification reasons in plain words, next to the field at fault. */
export const REASON_WORDS: Record<string, string> = {
  invalid_credentials: 'The API refused these credentials: check for a typo, or whether they were revoked.',
  insufficient_scope: 'The credentials work but lack a permission the API needs.',
  // Words for every kind of component: an API's URL, a database's host and port.
  unreachable: 'Nothing answered at that address: check the host or URL, and the port.',
  timeout: 'It did not answer in time. Try again.',
  rate_limited: 'The API is rate limiting requests. Try again in a moment.',
  upstream_error: 'The API answered with an error. Try again later.',
  blocked_destination: 'That address is not allowed (it is not a public host).',
};

export const formatTime = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/**
 * Names the screen in the browser's title (tabs, history, a screen reader's first words).
 * `undefined` while the screen loads; `null`: another component names this screen.
 */
export const useTitle = (screen: string | null | undefined) => {
  useEffect(() => {
    if (screen === null) return;
    document.title = screen ? `${screen} · Credentials console` : 'Credentials console';
  }, [screen]);
};

/** A `<dialog>` shown modal (focus in, the page behind inert) when it mounts, with one listener. */
export const useModal = (
  type: 'close' | 'cancel',
  listener: (dialog: HTMLDialogElement, event: Event) => void,
) => {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    element.showModal();
    const handle = (event: Event) => listener(element, event);
    element.addEventListener(type, handle);
    return () => element.removeEventListener(type, handle);
  }, []);
  return dialog;
};

/**
 * A real modal confirmation (`<dialog>` opened with showModal): focus moves in to the safe choice,
 * the rest of the page is inert, Escape cancels, and a cancel returns focus to what opened it.
 */
export const ConfirmDialog = ({
  title,
  confirmLabel,
  onConfirm,
  onCancel,
  opener,
}: {
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  opener: HTMLElement | null;
}) => {
  const dialog = useModal('close', (element) => {
    if (element.returnValue === 'confirm') return;
    onCancel();
    opener?.focus();
  });
  return (
    <dialog ref={dialog} class="panel" aria-labelledby="confirm-title">
      <p id="confirm-title">{title}</p>
      <div class="actions">
        <button
          type="button"
          class="danger"
          onClick={() => {
            dialog.current?.close('confirm');
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        {/* biome-ignore lint/a11y/noAutofocus: a dialog's focus belongs on its safe choice */}
        <button type="button" class="secondary" autoFocus onClick={() => dialog.current?.close('cancel')}>
          Cancel
        </button>
      </div>
    </dialog>
  );
};

/** The value once it has stopped changing for `ms`: a search box asks the server once per pause. */
export const useSettled = <T,>(value: T, ms = 250): T => {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
};

/** Does the name start with what was typed, as the API's `?name=` search matches (case and width folded)? */
export const nameStartsWith = (name: string | null, typed: string): boolean =>
  (name ?? '').normalize('NFKC').toLowerCase().startsWith(typed.trim().normalize('NFKC').toLowerCase());
