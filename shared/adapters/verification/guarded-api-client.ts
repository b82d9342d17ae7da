import { type ApiClient, ApiUnreachableError } from '../../ports/api-client.ts';
import { guardedHttp, RequestTimeoutError, requestMayHaveBeenSent } from './guarded-http.ts';
import { BlockedDestinationError, type NetworkPolicy, UnresolvableHostError } from './network-guard.ts';

/**
 * The proxy's client: the same guard as verification (every address vetted, the connection made
 * to the vetted one), redirects followed only within the origin (with the credentials, as the
 * origin asked), a response cap, and a timeout per request.
 */
export const guardedApiClient = (policy: NetworkPolicy, maxResponseBytes: number): ApiClient => ({
  maxResponseBytes,
  async send(request, timeoutMs) {
    try {
      const response = await guardedHttp(
        {
          method: request.method,
          url: request.url,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
        },
        { ...policy, timeoutMs, maxResponseBytes, maxRedirects: 3, sameOriginRedirectsOnly: true },
      );
      return {
        status: response.status,
        headers: response.headers,
        body: response.bytes,
        truncated: response.truncated,
      };
    } catch (error) {
      if (error instanceof BlockedDestinationError)
        throw new ApiUnreachableError('blocked_destination', false);
      if (error instanceof UnresolvableHostError) throw new ApiUnreachableError('connection_failed', false);
      const sent = requestMayHaveBeenSent(error);
      if (error instanceof RequestTimeoutError) throw new ApiUnreachableError('timeout', sent);
      throw new ApiUnreachableError('connection_failed', sent);
    }
  },
});
