import type { VerificationSpec } from '../../domain/component.ts';
import type { FieldValues } from '../../domain/credential-fields.ts';
import type { VerificationResult } from '../../ports/credential-verifier.ts';
import { type GuardedHttpOptions, guardedHttp } from './guarded-http.ts';
import { fillTemplate, fillUrlTemplate } from './template.ts';
import { fromHttpResponse, fromNetworkError } from './verification-outcomes.ts';

type HttpSpec = Extract<VerificationSpec, { kind: 'http' }>;

/** Sends the component's request template with the credential and reads the status. */
export const verifyWithHttpTemplate = async (
  spec: HttpSpec,
  values: FieldValues,
  secrets: FieldValues,
  options: GuardedHttpOptions,
): Promise<VerificationResult> => {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'credentials-service-verifier/1',
  };
  for (const [name, value] of Object.entries(spec.headers ?? {}))
    headers[fillTemplate(name, values).toLowerCase()] = fillTemplate(value, values);
  if (spec.basicAuth) {
    const user = fillTemplate(spec.basicAuth.username, values);
    const password = fillTemplate(spec.basicAuth.password, values);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  try {
    const response = await guardedHttp(
      { method: spec.method, url: fillUrlTemplate(spec.url, values), headers },
      options,
    );
    if (spec.successStatuses.includes(response.status)) return { outcome: 'verified' };
    return fromHttpResponse(response, secrets, values);
  } catch (error) {
    return fromNetworkError(error);
  }
};
