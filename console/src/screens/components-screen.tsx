import { useEffect, useState } from 'preact/hooks';
import { type Api, type ComponentSummary, type Problem, problemOf, unwrap } from '../api/client';
import { Markdown } from '../markdown';
import { Busy, ProblemMessage } from '../ui';

/** The credentials page: each component with the number of credentials it has. */
export const ComponentsScreen = ({ api }: { api: Api }) => {
  const [components, setComponents] = useState<ComponentSummary[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    api
      .GET('/components')
      .then((result) => setComponents(unwrap(result).items))
      .catch((error) => setProblem(problemOf(error)));
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
            <Markdown class="card-description" text={component.description} />
          </li>
        ))}
      </ul>
    </section>
  );
};
