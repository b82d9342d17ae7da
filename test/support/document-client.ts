type Json = Record<string, unknown>;

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
}

interface DocumentOperation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly hasBody: boolean;
}

export interface ClientAnswer {
  readonly method: string;
  readonly url: string;
  readonly text: string;
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
  readonly body: any;
}

/**
 * A client made from an OpenAPI document alone, as a generator (hey-api, openapi-generator) makes
 * one: each input goes where the document says, a path, query or header parameter, and anything
 * else into the JSON request body. If the document has no body, an input it does not name as a
 * parameter has nowhere to go and the call is refused here. So a contract that misplaces an input
 * makes a call the service refuses, and a test that uses this client fails.
 */
export const clientFromDocument = (
  document: { paths: Record<string, Record<string, unknown>> },
  baseUrl: string,
) => {
  const operations = new Map<string, DocumentOperation>();
  for (const [path, item] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(item)) {
      const described = operation as Json;
      if (typeof described.operationId !== 'string') continue;
      const parameters = ((described.parameters as Json[] | undefined) ?? [])
        .filter((parameter) => typeof parameter.name === 'string')
        .map((parameter) => ({ name: String(parameter.name), in: parameter.in as Parameter['in'] }));
      operations.set(described.operationId, {
        method: method.toUpperCase(),
        path,
        parameters,
        hasBody: described.requestBody !== undefined,
      });
    }

  const call = async (operationId: string, inputs: Json = {}, token?: string): Promise<ClientAnswer> => {
    const operation = operations.get(operationId);
    if (!operation) throw new Error(`the document has no operation ${operationId}`);
    let path = operation.path;
    const query = new URLSearchParams();
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const body: Json = {};
    for (const [name, value] of Object.entries(inputs)) {
      const parameter = operation.parameters.find((candidate) => candidate.name === name);
      if (parameter?.in === 'path') path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
      else if (parameter?.in === 'query')
        query.set(name, typeof value === 'string' ? value : JSON.stringify(value));
      else if (parameter?.in === 'header') headers[name.toLowerCase()] = String(value);
      else if (operation.hasBody) body[name] = value;
      else throw new Error(`${operationId}: the document has no place for '${name}'`);
    }
    if (operation.hasBody) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}${query.size > 0 ? `?${query}` : ''}`, {
      method: operation.method,
      headers,
      redirect: 'manual',
      ...(operation.hasBody ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return {
      method: operation.method,
      url: response.url || `${baseUrl}${path}`,
      text,
      status: response.status,
      headers: response.headers,
      body: parsed,
    };
  };
  return { operationIds: [...operations.keys()], call };
};
