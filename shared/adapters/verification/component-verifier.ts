import type { ComponentDefinition } from '../../domain/component.ts';
import { secretFieldNames } from '../../domain/component.ts';
import type { FieldValues } from '../../domain/credential-fields.ts';
import type { Clock } from '../../ports/clock.ts';
import type { CredentialVerifier } from '../../ports/credential-verifier.ts';
import { verifyWithHttpTemplate } from './http-verifier.ts';
import type { Resolver } from './network-guard.ts';
import { verifyOAuth2 } from './oauth2-verifier.ts';
import { verifyPostgreSql } from './postgresql-verifier.ts';
import { verifyClientCredentials, verifyProviderToken } from './provider-verifier.ts';

export interface VerifierSettings {
  readonly allowedHosts: readonly string[];
  readonly timeoutMs: number;
  readonly maxResponseBytes?: number;
  readonly resolve?: Resolver;
}

/** Dispatches to the verifier each component declares. */
export const componentVerifier = (settings: VerifierSettings, clock: Clock): CredentialVerifier => {
  const http = {
    allowedHosts: settings.allowedHosts,
    timeoutMs: settings.timeoutMs,
    maxResponseBytes: settings.maxResponseBytes ?? 16 * 1024,
    maxRedirects: 3,
    resolve: settings.resolve,
  };
  const secretsOf = (component: ComponentDefinition, values: FieldValues): FieldValues =>
    Object.fromEntries(
      secretFieldNames(component)
        .filter((name) => values[name] !== undefined)
        .map((name) => [name, values[name] as string]),
    );
  return {
    verify: async (component, values, options = {}) => {
      const spec = component.verification;
      switch (spec.kind) {
        case 'http':
          return verifyWithHttpTemplate(spec, values, secretsOf(component, values), http);
        case 'oauth2':
          if (component.provider?.grant === 'client_credentials')
            return verifyClientCredentials(
              component.provider,
              values,
              secretsOf(component, values),
              http,
              clock.now(),
            );
          if (component.provider)
            return verifyProviderToken(component.provider, values, secretsOf(component, values), http);
          return verifyOAuth2(
            values,
            secretsOf(component, values),
            http,
            clock.now(),
            options.mayRefresh ?? true,
          );
        case 'postgresql':
          return verifyPostgreSql(values, http);
        case 'none':
          return { outcome: 'unverified', detail: spec.reason };
      }
    },
  };
};
