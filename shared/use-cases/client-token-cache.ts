/**
 * Access tokens kept in this container's memory only, and only until shortly before they expire:
 * those of the client-credentials grant, and those a refresh obtained from a provider that kept its
 * refresh token (nothing the credential holds changed, so nothing is stored). Concurrent resolves of
 * one credential share one token request (single flight within the container).
 */
/** `dueAt`: when the token is to be replaced (epoch ms), shortly before it expires. */
export interface ClientToken {
  readonly accessToken: string;
  readonly expiresAt: number;
  readonly dueAt: number;
}

export interface ClientTokenCache {
  get(key: string, fetch: () => Promise<ClientToken>, now: number): Promise<ClientToken>;
  /** Forgets `accessToken` (an API refused it), unless another call already replaced it. */
  discard(key: string, accessToken: string): void;
  /** The token kept under `key`, if it is not yet due. */
  peek(key: string, now: number): ClientToken | undefined;
  /** Keeps a token obtained elsewhere (a refresh). */
  put(key: string, token: ClientToken): void;
}

export const clientTokenCache = (maxEntries = 1000): ClientTokenCache => {
  const tokens = new Map<string, ClientToken>();
  const inFlight = new Map<string, Promise<ClientToken>>();
  return {
    discard(key, accessToken) {
      if (tokens.get(key)?.accessToken === accessToken) tokens.delete(key);
    },
    peek(key, now) {
      const cached = tokens.get(key);
      return cached && cached.dueAt > now ? cached : undefined;
    },
    put(key, token) {
      if (tokens.size >= maxEntries) tokens.clear();
      tokens.set(key, token);
    },
    async get(key, fetch, now) {
      const cached = tokens.get(key);
      if (cached && cached.dueAt > now) return cached;
      tokens.delete(key);
      const pending = inFlight.get(key);
      if (pending) return pending;
      const request = fetch()
        .then((token) => {
          if (tokens.size >= maxEntries) tokens.clear();
          tokens.set(key, token);
          return token;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, request);
      return request;
    },
  };
};
