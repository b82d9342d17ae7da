import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, type Component, type Credential, type Problem, problemOf, unwrap } from '../api/client';
import { InlineMarkdown } from '../markdown';
import { Busy, ProblemMessage, REASON_WORDS, useSingleFlight } from '../ui';

type Field = Component['fields'][number];

/** Which field a verification failure points at: the secret for a refusal, the address otherwise. */
export const faultyField = (component: Component, reason: string | undefined): string | undefined => {
  const secret = component.fields.find((field) => field.secret)?.name;
  const address = component.fields.find((field) => field.type === 'url' || field.type === 'hostname')?.name;
  if (reason === 'unreachable' || reason === 'timeout' || reason === 'blocked_destination')
    return address ?? secret;
  return secret ?? address;
};

/** A field with a fixed set of values (its pattern is `^(a|b|c)$`) is a choice, not a text box. */
const choicesOf = (field: Field): string[] | undefined => {
  const match = /^\^\(([\w-]+(?:\|[\w-]+)+)\)\$$/.exec(field.pattern ?? '');
  return match?.[1]?.split('|');
};

const inputType = (field: Field): string =>
  field.secret ? 'password' : field.type === 'integer' ? 'number' : field.type === 'url' ? 'url' : 'text';

export const FieldInput = ({
  field,
  value,
  error,
  onInput,
  required,
}: {
  field: Field;
  value: string;
  error?: string | undefined;
  onInput: (value: string) => void;
  required: boolean;
}) => {
  const id = `field-${field.name}`;
  const [touched, setTouched] = useState(false);
  const patternBroken =
    touched && value !== '' && field.pattern !== undefined && !new RegExp(field.pattern).test(value);
  const message = error ?? (patternBroken ? `${field.label} has an invalid format.` : undefined);
  const choices = choicesOf(field);
  const described = [message ? `${id}-error` : '', field.description ? `${id}-help` : ''].join(' ').trim();
  return (
    <div class="field">
      <label for={id}>
        {field.label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {field.description && (
        <p id={`${id}-help`} class="help">
          <InlineMarkdown text={field.description} />
        </p>
      )}
      {choices ? (
        <select
          id={id}
          name={field.name}
          required={required}
          value={value}
          aria-invalid={message ? 'true' : 'false'}
          aria-describedby={described || undefined}
          onChange={(event) => onInput((event.target as HTMLSelectElement).value)}
        >
          <option value="">{required ? 'Choose one' : 'Default'}</option>
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          name={field.name}
          type={inputType(field) as 'text'}
          autocomplete={field.secret ? 'new-password' : 'off'}
          required={required}
          maxLength={field.maxLength}
          value={value}
          aria-invalid={message ? 'true' : 'false'}
          aria-describedby={described || undefined}
          onInput={(event) => {
            setTouched(true);
            onInput((event.target as HTMLInputElement).value);
          }}
        />
      )}
      {message && (
        <p id={`${id}-error`} class="field-error">
          {message}
        </p>
      )}
    </div>
  );
};

/** The form generated from the component's field schema: Save verifies first (a dry request). */
export const CredentialForm = ({
  api,
  component,
  onCreated,
  onCancel,
}: {
  api: Api;
  component: Component;
  onCreated: (credential: Credential) => void;
  onCancel: () => void;
}) => {
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [shownAtFields, setShownAtFields] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  // After a refusal, focus goes where the fix is: the first field at fault, else what was said. Save
  // held it and was disabled while saving, which would leave it on the page body.
  const [refusals, setRefusals] = useState(0);
  useEffect(() => {
    if (refusals === 0) return;
    const faulty = component.fields.find((field) => fieldErrors[field.name] !== undefined);
    const target = faulty
      ? document.getElementById(`field-${faulty.name}`)
      : document.querySelector<HTMLElement>('form .problem');
    if (target && !faulty) target.tabIndex = -1;
    target?.focus();
  }, [refusals]);
  const once = useSingleFlight();
  // One Idempotency-Key per body: a retry of the same create (a timeout, a lost answer) is
  // answered with the credential it made, never a second one; a changed body is a new request.
  const attempt = useRef<{ body: string; key: string } | null>(null);

  const save = (event: Event) => {
    event.preventDefault();
    return once(submit);
  };
  const submit = async () => {
    setSaving(true);
    setProblem(null);
    setFieldErrors({});
    const fields = Object.fromEntries(
      component.fields
        .filter((field) => (values[field.name] ?? '') !== '')
        .map((field) => [
          field.name,
          field.type === 'integer' ? Number(values[field.name]) : values[field.name],
        ]),
    );
    try {
      const body = { componentId: component.id, fields, ...(name ? { name } : {}) };
      const serialized = JSON.stringify(body);
      if (attempt.current?.body !== serialized)
        attempt.current = { body: serialized, key: crypto.randomUUID() };
      // The body's shape per component is checked by the API; the form sends what the schema lists.
      const credential = unwrap(
        await api.POST('/credentials', {
          body: body as never,
          params: { header: { 'Idempotency-Key': attempt.current.key } },
        }),
      );
      attempt.current = null;
      setValues({});
      onCreated(credential);
    } catch (error) {
      const refused = problemOf(error);
      setProblem(refused);
      const errors: Record<string, string> = {};
      for (const issue of refused.errors)
        errors[issue.path.replace(/^(body\.)?fields\./, '')] = issue.message;
      setShownAtFields(
        refused.errors
          .map((issue) => issue.path)
          .filter((path) =>
            component.fields.some((field) => path.replace(/^(body\.)?fields\./, '') === field.name),
          ),
      );
      if (refused.code === 'verification_failed') {
        const reason = String((refused as { reason?: unknown }).reason ?? '');
        const at = faultyField(component, reason);
        if (at) errors[at] = REASON_WORDS[reason] ?? refused.detail;
      }
      setFieldErrors(errors);
      setRefusals((count) => count + 1);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="panel" onSubmit={save} aria-labelledby="create-title" noValidate>
      <h2 id="create-title">New {component.name} credential</h2>
      {component.docsUrl && (
        <p class="help">
          What each field means:{' '}
          <a href={component.docsUrl} target="_blank" rel="noopener noreferrer">
            {component.name} documentation<span class="visually-hidden"> (opens in a new tab)</span>
          </a>
        </p>
      )}
      <div class="field">
        <label for="field-name">Account name (optional)</label>
        <input
          id="field-name"
          value={name}
          maxLength={200}
          onInput={(event) => setName((event.target as HTMLInputElement).value)}
        />
      </div>
      {component.fields.map((field) => (
        <FieldInput
          key={field.name}
          field={field}
          required={field.required}
          value={values[field.name] ?? ''}
          error={fieldErrors[field.name]}
          onInput={(value) => {
            setValues((previous) => ({ ...previous, [field.name]: value }));
            // What the person is fixing stops being marked wrong; the refusal above goes with it.
            setFieldErrors(({ [field.name]: _fixed, ...others }) => others);
            setProblem(null);
          }}
        />
      ))}
      {problem && (
        <ProblemMessage
          problem={problem}
          shownAtFields={shownAtFields}
          // No answer came: the same create again, with the same Idempotency-Key.
          onRetry={() => once(submit)}
          labels={Object.fromEntries(
            component.fields.flatMap((field) => [
              [`fields.${field.name}`, field.label],
              [`body.fields.${field.name}`, field.label],
            ]),
          )}
        />
      )}
      {saving && <Busy label="Verifying and saving" />}
      <div class="actions">
        <button type="submit" disabled={saving}>
          Save
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
};
