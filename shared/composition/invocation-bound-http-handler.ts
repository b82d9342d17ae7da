import { NodeHttpHandler } from '@smithy/node-http-handler';
import { invocationSignal } from '../lambda/invocation-signal.ts';
import { AWS_CALL_TIMEOUTS } from './aws-call-timeouts.ts';

/**
 * The SDK's own Node.js handler with the call timeouts, and every attempt tied to the invocation
 * that made it: when the invocation ends, its unfinished calls end too (an aborted call is not
 * retried by the SDK).
 */
export class InvocationBoundHttpHandler extends NodeHttpHandler {
  constructor() {
    super(AWS_CALL_TIMEOUTS);
  }

  override handle(...[request, options = {}]: Parameters<NodeHttpHandler['handle']>) {
    const signal = invocationSignal();
    return super.handle(
      request,
      signal && !options.abortSignal ? { ...options, abortSignal: signal } : options,
    );
  }
}
