import type { ServiceConfig } from '../config/service-config.ts';
import type { TokenRefresher } from '../ports/token-refresher.ts';
import { tokenCallOptions } from './token-call-options.ts';

/**
 * The token endpoint client, imported the first time a token endpoint is called. Resolve calls one
 * only to refresh an OAuth2 credential or to fetch a client-credentials token, so most of its cold
 * starts never load the client, the network guard or its address ranges. (The proxy's own API
 * client loads the network guard anyway: it keeps the client it is bundled with.)
 */
export const createTokenRefresherOnFirstCall = (config: ServiceConfig): TokenRefresher => {
  let client: Promise<TokenRefresher> | undefined;
  const loaded = () => {
    client ??= import('../adapters/verification/oauth2-token-client.ts').then((module) =>
      module.guardedTokenRefresher(tokenCallOptions(config)),
    );
    return client;
  };
  return {
    exchange: async (...call) => (await loaded()).exchange(...call),
    exchangeCode: async (...call) => (await loaded()).exchangeCode(...call),
    revoke: async (...call) => (await loaded()).revoke(...call),
    clientCredentials: async (...call) => (await loaded()).clientCredentials(...call),
  };
};
