import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** The error envelope of docs/api.md §1.1, as documented on every error response. */
export const ERROR_ENVELOPE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['success', 'error', 'code', 'request_id'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    error: { type: 'string' },
    code: { type: 'string' },
    details: {
      type: 'object',
      additionalProperties: true,
      properties: {
        fields: { type: 'object', additionalProperties: { type: 'string' } },
        required: { type: 'string' },
      },
    },
    request_id: { type: 'string' },
  },
};
