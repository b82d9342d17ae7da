/**
 * Access tokens from the client-credentials grant, kept in this container's memory only and only
 * until shortly before they expire: nothing is stored. Concurrent resolves of one credential share
 * one token request (single flight within the container).
 */
export interface ClientTokenCache {
  get(
    key: string,
    fetch: () => Promise<{ accessToken: string; expiresAt: number }>,
    now: number,
    marginMs: number,
  ): Promise<{ accessToken: string; expiresAt: number }>;
}

export const clientTokenCache = (maxEntries = 1000): ClientTokenCache => {
  const tokens = new Map<string, { accessToken: string; expiresAt: number }>();
  const inFlight = new Map<string, Promise<{ accessToken: string; expiresAt: number }>>();
  return {
    async get(key, fetch, now, marginMs) {
      const cached = tokens.get(key);
      if (cached && cached.expiresAt - marginMs > now) return cached;
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
