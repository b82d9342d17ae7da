/** A request the proxy sends to a component's API on a workflow step's behalf. */
export interface ApiRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** At most the client's cap. */
  readonly body: Buffer;
  /** The API sent more than the cap. */
  readonly truncated: boolean;
}

export type ApiFailureReason = 'timeout' | 'connection_failed' | 'blocked_destination';

/** No answer: `requestSent` says whether the API may have seen the request. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly reason: ApiFailureReason,
    readonly requestSent: boolean,
  ) {
    super(`The component's API could not be reached (${reason}).`);
    this.name = 'ApiUnreachableError';
  }
}

/** Sends one request, through the network guard, to a destination the caller has already bound. */
export interface ApiClient {
  /** The most a response may hold, in bytes: more is reported as `truncated`. */
  readonly maxResponseBytes: number;
  send(request: ApiRequest, timeoutMs: number): Promise<ApiResponse>;
}
