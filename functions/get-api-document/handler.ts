import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import document from '../../docs/openapi.json' with { type: 'json' };
import { serveApiDocument } from './api-document.ts';

/** GET /openapi.json and GET /problems/{code}: public, and no AWS client is built. */
export const handler = async (event: APIGatewayProxyEventV2) => serveApiDocument(event, document);
