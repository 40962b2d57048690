/**
 * What the tests expect of the token endpoint, written as an OpenAPI 3.1 document of our own:
 * /auth/token is not part of /api/v1 or its document, and follows other specifications (the
 * Docker "Token Authentication Specification", and RFC 6749 sections 4.3, 5.1 and 5.2 for the
 * OAuth2 form and its errors). ApiClient checks exchanges with /auth/* against it.
 */

const json = (schema: Record<string, unknown>) => ({
  content: { 'application/json': { schema } },
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const queryParameter = (name: string, schema: Record<string, unknown>) => ({
  name,
  in: 'query',
  required: false,
  schema,
});

/** Refusals outside OAuth's own vocabulary use the registry's error body (src/http/errors.ts). */
const registryRefusal = { description: 'refused', ...json(ref('Error')) };

export const authDocument = {
  openapi: '3.1.0',
  info: { title: 'Berth token endpoint, as the tests expect it', version: '1' },
  paths: {
    '/auth/token': {
      get: {
        operationId: 'getToken',
        parameters: [
          queryParameter('service', { type: 'string' }),
          queryParameter('scope', { type: 'array', items: { type: 'string' } }),
          queryParameter('account', { type: 'string' }),
          queryParameter('client_id', { type: 'string' }),
          queryParameter('offline_token', { type: 'string', enum: ['true', 'false'] }),
        ],
        responses: {
          '200': { description: 'a token', ...json(ref('Token')) },
          '400': { description: 'an unknown service', ...json(ref('OAuthError')) },
          '401': registryRefusal,
          '429': registryRefusal,
        },
      },
      post: {
        operationId: 'postToken',
        requestBody: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: ref('TokenForm') } },
        },
        responses: {
          '200': { description: 'a token', ...json(ref('Token')) },
          '400': { description: 'a refused grant', ...json(ref('OAuthError')) },
          '413': registryRefusal,
          '415': registryRefusal,
          '429': registryRefusal,
        },
      },
    },
    '/auth/jwks': {
      get: {
        operationId: 'getJwks',
        responses: { '200': { description: 'the public keys', ...json(ref('Jwks')) } },
      },
    },
  },
  components: {
    schemas: {
      Token: {
        type: 'object',
        required: ['token', 'access_token', 'expires_in', 'issued_at'],
        properties: {
          token: { type: 'string', minLength: 1 },
          access_token: { type: 'string', minLength: 1 },
          expires_in: { type: 'integer', minimum: 1 },
          issued_at: { type: 'string', format: 'date-time' },
          refresh_token: { type: 'string', minLength: 1 },
          scope: { type: 'string' },
        },
        additionalProperties: false,
      },
      TokenForm: {
        type: 'object',
        required: ['grant_type'],
        properties: {
          grant_type: { enum: ['password', 'refresh_token'] },
          username: { type: 'string' },
          password: { type: 'string' },
          refresh_token: { type: 'string' },
          client_id: { type: 'string' },
          access_type: { enum: ['online', 'offline'] },
          service: { type: 'string' },
          scope: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        },
        additionalProperties: false,
      },
      OAuthError: {
        type: 'object',
        required: ['error', 'error_description'],
        properties: {
          error: { enum: ['invalid_request', 'invalid_grant', 'unsupported_grant_type'] },
          error_description: { type: 'string' },
        },
        additionalProperties: false,
      },
      Error: {
        type: 'object',
        required: ['errors'],
        properties: {
          errors: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, detail: {} },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
      Jwks: {
        type: 'object',
        required: ['keys'],
        properties: {
          keys: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'],
              properties: {
                kty: { const: 'EC' },
                crv: { const: 'P-256' },
                x: { type: 'string' },
                y: { type: 'string' },
                kid: { type: 'string' },
                alg: { const: 'ES256' },
                use: { const: 'sig' },
              },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
  },
};
