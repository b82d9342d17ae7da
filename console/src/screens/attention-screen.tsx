import { useEffect, useState } from 'preact/hooks';
import { type Api, type Credential, type Problem, problemOf, unwrap } from '../api/client';
import { Busy, ProblemMessage } from '../ui';
import { CredentialTable } from './credential-table';

/** The reasons a person must act, worst first; each is one read of the sparse status index. */
const ATTENTION = ['invalid', 'unreachable', 'unverified', 'expiring'] as const;

/**
 * Every credential, across components, that was refused, could not be reached, was never
 * verified, or expires within its warning days.
 */
export const AttentionScreen = ({ api }: { api: Api }) => {
  const [items, setItems] = useState<Credential[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    api
      .GET('/components')
      .then((result) =>
        setNames(Object.fromEntries(unwrap(result).items.map((component) => [component.id, component.name]))),
      )
      .catch(() => undefined);
    Promise.all(
      ATTENTION.map(
        async (status) =>
          unwrap(await api.GET('/credentials', { params: { query: { status, limit: 100 } } })).items,
      ),
    )
      .then((lists) => setItems(lists.flat()))
      .catch((error) => setProblem(problemOf(error)));
  }, [api]);
  if (problem) return <ProblemMessage problem={problem} />;
  if (!items) return <Busy label="Loading credentials that need attention" />;
  return (
    <section aria-labelledby="attention-title">
      <h1 id="attention-title">Needs attention</h1>
      <p>
        Credentials their service refused, could not reach, never verified, or that expire soon. The scheduled
        check finds them; replace their secrets or reconnect them, and flows that use them work again.
      </p>
      {items.length === 0 ? (
        <p>Nothing needs attention.</p>
      ) : (
        <CredentialTable items={items} caption="Credentials that need attention" componentNames={names} />
      )}
    </section>
  );
};
