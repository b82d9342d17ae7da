import { useEffect, useState } from 'preact/hooks';
import { type Api, ApiProblem, type ComponentSummary, type Problem, unwrap } from '../api/client';
import { Busy, ProblemMessage } from '../ui';

/** The credentials page: each component with the number of credentials it has. */
export const ComponentsScreen = ({ api }: { api: Api }) => {
  const [components, setComponents] = useState<ComponentSummary[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    api
      .GET('/components')
      .then((result) => setComponents(unwrap(result).items))
      .catch((error) => setProblem(error instanceof ApiProblem ? error.problem : toProblem(error)));
  }, [api]);
  if (problem) return <ProblemMessage problem={problem} />;
  if (!components) return <Busy label="Loading components" />;
  return (
    <section aria-labelledby="components-title">
      <h1 id="components-title">Credentials</h1>
      <p>Pick a component to see its credentials or create one.</p>
      <ul class="cards">
        {components.map((component) => (
          <li key={component.id} class="card">
            <a href={`#/components/${component.id}`} class="card-link">
              <span class="card-name">{component.name}</span>
              <span class="count">
                {component.credentialCount}
                <span class="visually-hidden"> credentials</span>
              </span>
            </a>
            <p class="card-description">{component.description}</p>
          </li>
        ))}
      </ul>
    </section>
  );
};

export const toProblem = (error: unknown): Problem => ({
  type: 'about:blank',
  title: 'The service could not be reached',
  status: 0,
  code: 'internal',
  detail: error instanceof Error ? error.message : 'Check your connection and try again.',
  errors: [],
});
