import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Api, type Credential, type Problem, problemOf, unwrap } from '../api/client';
import { Busy, nameStartsWith, ProblemMessage, useComponents, useSettled, useSingleFlight } from '../ui';
import { CredentialTable } from './credential-table';

const PAGE = 100;
/** "Needs attention" is these four reasons, each one read of the sparse status index. */
const ATTENTION = ['invalid', 'unreachable', 'unverified', 'expiring'] as const;
type StatusFilter = '' | 'attention' | (typeof ATTENTION)[number];
const STATUS_CHOICES: { value: StatusFilter; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'attention', label: 'Needs attention' },
  { value: 'invalid', label: 'Invalid' },
  { value: 'unreachable', label: 'Unreachable' },
  { value: 'unverified', label: 'Not verified' },
  { value: 'expiring', label: 'Expires soon' },
];
type Sort = 'newest' | 'oldest' | 'name';

/**
 * One read of the API's listing for a filter: the status index (a status alone), the name index
 * (the start of a name, of one component or all), the component index, or all.
 */
const listQuery = (componentId: string, status: StatusFilter, name: string) =>
  status && status !== 'attention'
    ? { status }
    : { ...(componentId ? { componentId } : {}), ...(name ? { name } : {}) };

/**
 * Every credential of the tenant in one list: filtered by component, status and the start of a
 * name on the server (an index each; a status filter searches the names it loaded), sorted over
 * what is loaded, with the total from the per-component counts.
 */
export const AllCredentialsScreen = ({ api }: { api: Api }) => {
  const componentsRead = useComponents(api);
  const components = componentsRead.value ?? null;
  const [componentId, setComponentId] = useState('');
  const [status, setStatus] = useState<StatusFilter>('');
  const [search, setSearch] = useState('');
  const typed = useSettled(search.trim());
  // The API searches names unless a status filters: then what it loaded is searched here.
  const serverSearch = status ? '' : typed;
  const [sort, setSort] = useState<Sort>('newest');
  // The list with the query it answers: a list loaded for another filter or search is never shown
  // (between a change and its answer the screen says it is loading).
  const query = `${componentId}|${status}|${serverSearch}`;
  const [loaded, setLoaded] = useState<{ query: string; items: Credential[] } | null>(null);
  const items = loaded?.query === query ? loaded.items : null;
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const once = useSingleFlight();

  const names = useMemo(
    () => Object.fromEntries((components ?? []).map((component) => [component.id, component.name])),
    [components],
  );

  // A filter changed while a read was out: only the latest read's answer is shown.
  const generation = useRef(0);
  const load = async (after: string | null) => {
    const mine = ++generation.current;
    const current = () => mine === generation.current;
    setProblem(null);
    try {
      if (status === 'attention') {
        const lists = await Promise.all(
          ATTENTION.map(
            async (reason) =>
              unwrap(await api.GET('/credentials', { params: { query: { status: reason, limit: PAGE } } }))
                .items,
          ),
        );
        if (!current()) return;
        setLoaded({ query, items: lists.flat() });
        setCursor(null);
        return;
      }
      const page = unwrap(
        await api.GET('/credentials', {
          params: {
            query: {
              ...listQuery(componentId, status, serverSearch),
              limit: PAGE,
              ...(after ? { cursor: after } : {}),
            },
          },
        }),
      );
      if (!current()) return;
      setLoaded((previous) => ({
        query,
        items: after && previous?.query === query ? [...previous.items, ...page.items] : page.items,
      }));
      setCursor(page.nextCursor);
    } catch (error) {
      if (current()) setProblem(problemOf(error));
    }
  };

  useEffect(() => {
    setLoaded(null);
    load(null);
  }, [api, componentId, status, serverSearch]);

  const shown = useMemo(() => {
    const matching = (items ?? []).filter(
      (credential) =>
        (!componentId || credential.componentId === componentId) &&
        (!typed || nameStartsWith(credential.name, typed)),
    );
    // Ids are ULIDs: they sort by creation time.
    return matching.sort((a, b) =>
      sort === 'name'
        ? (a.name ?? '').localeCompare(b.name ?? '')
        : sort === 'oldest'
          ? a.id.localeCompare(b.id)
          : b.id.localeCompare(a.id),
    );
  }, [items, typed, sort, componentId]);

  const total = components
    ? componentId
      ? (components.find((component) => component.id === componentId)?.credentialCount ?? 0)
      : components.reduce((sum, component) => sum + component.credentialCount, 0)
    : null;

  return (
    <section aria-labelledby="all-title">
      <h1 id="all-title">All credentials</h1>
      <form class="filters" aria-label="Find credentials" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for="search">Search by name</label>
          <p id="search-help" class="help">
            Names that start with what you type.
          </p>
          <input
            id="search"
            type="search"
            aria-describedby="search-help"
            value={search}
            onInput={(event) => setSearch((event.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="filter-component">Component</label>
          <select
            id="filter-component"
            value={componentId}
            onChange={(event) => setComponentId((event.target as HTMLSelectElement).value)}
          >
            <option value="">All components</option>
            {(components ?? []).map((component) => (
              <option key={component.id} value={component.id}>
                {component.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select
            id="filter-status"
            value={status}
            onChange={(event) => setStatus((event.target as HTMLSelectElement).value as StatusFilter)}
          >
            {STATUS_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sort">Sort by</label>
          <select
            id="sort"
            value={sort}
            onChange={(event) => setSort((event.target as HTMLSelectElement).value as Sort)}
          >
            <option value="newest">Newest first</option>
            <option value="oldest">Oldest first</option>
            <option value="name">Name</option>
          </select>
        </div>
      </form>
      {problem && <ProblemMessage problem={problem} onRetry={() => load(null)} />}
      {!problem && componentsRead.problem && (
        <ProblemMessage problem={componentsRead.problem} onRetry={componentsRead.retry} />
      )}
      {!items ? (
        !problem && <Busy label="Loading credentials" />
      ) : (
        <>
          <p id="list-total" role="status" aria-live="polite">
            {serverSearch
              ? `${shown.length} matching${cursor ? ' so far (load more for the rest)' : ''}`
              : status || typed
                ? `${shown.length} matching of ${items.length} loaded${cursor ? ' (load more to search further)' : ''}`
                : `Showing ${shown.length} of ${total ?? items.length}`}
          </p>
          {shown.length === 0 ? (
            <p>No credentials match.</p>
          ) : (
            <CredentialTable items={shown} caption="Credentials" componentNames={names} />
          )}
          {cursor && (
            <button type="button" onClick={() => once(() => load(cursor))}>
              Load more
            </button>
          )}
        </>
      )}
    </section>
  );
};
