import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation } from '../../shared/lambda/operation.ts';
import { type ProxyDependencies, proxyRequest } from '../../shared/use-cases/proxy-request.ts';
import { ProxyHttpInput } from './proxy-event.ts';

/** `POST /proxy`: the same call for a token holder with the `credentials:proxy` scope. */
export const proxyRequestOperation = defineOperation({
  name: 'proxyRequest',
  scope: 'credentials:proxy',
  input: ProxyHttpInput,
  fromHttp: (request) => ({ body: request.body }),
  execute: (deps: ProxyDependencies, actor, input) => proxyRequest(deps, actor, input.body),
  toHttp: (answer) => json(200, answer),
});
