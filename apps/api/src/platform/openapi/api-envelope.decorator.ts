import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_ENVELOPE_SCHEMA } from './error-envelope.schema';
import type { ReferenceObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

function dataSchema(model: Type | [Type] | null | SchemaObject): SchemaObject | ReferenceObject {
  if (model === null) return { type: 'object', nullable: true };
  if (Array.isArray(model)) return { type: 'array', items: { $ref: getSchemaPath(model[0]) } };
  if (typeof model === 'function') return { $ref: getSchemaPath(model) };
  return model;
}

function models(model: Type | [Type] | null | SchemaObject): Type[] {
  if (Array.isArray(model)) return [model[0]];
  if (typeof model === 'function') return [model];
  return [];
}

/** Documents a success envelope `{success, data, message?}` around `model` (a DTO class, `[DTO]` or null). */
export function ApiEnvelope(model: Type | [Type] | null | SchemaObject, status = 200): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(...models(model)),
    ApiResponse({
      status,
      schema: {
        type: 'object',
        required: ['success', 'data'],
        properties: {
          success: { type: 'boolean', enum: [true] },
          data: dataSchema(model),
          message: { type: 'string' },
        },
      },
    }),
    ApiResponse({ status: 400, description: 'Invalid input', schema: ERROR_ENVELOPE_SCHEMA }),
  );
}

/** Documents a list envelope `{success, data: [model], pagination}`. */
export function ApiListEnvelope(model: Type): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: 200,
      schema: {
        type: 'object',
        required: ['success', 'data', 'pagination'],
        properties: {
          success: { type: 'boolean', enum: [true] },
          data: { type: 'array', items: { $ref: getSchemaPath(model) } },
          pagination: {
            type: 'object',
            required: ['page', 'per_page', 'total', 'pages'],
            properties: {
              page: { type: 'integer' },
              per_page: { type: 'integer' },
              total: { type: 'integer' },
              pages: { type: 'integer' },
            },
          },
        },
      },
    }),
    ApiResponse({ status: 400, description: 'Invalid input', schema: ERROR_ENVELOPE_SCHEMA }),
  );
}

/** Documents a 202 task envelope `{success, data: {task_id, status: 'queued'}, message}`. */
export function ApiTaskAccepted(): MethodDecorator {
  return applyDecorators(
    ApiResponse({
      status: 202,
      description: 'Queued; follow it with GET /api/tasks/{task_id}/status or the SSE stream',
      schema: {
        type: 'object',
        required: ['success', 'data', 'message'],
        properties: {
          success: { type: 'boolean', enum: [true] },
          data: {
            type: 'object',
            required: ['task_id', 'status'],
            properties: {
              task_id: { type: 'string', format: 'uuid' },
              status: { type: 'string', enum: ['queued'] },
            },
          },
          message: { type: 'string' },
        },
      },
    }),
    ApiResponse({ status: 400, description: 'Invalid input', schema: ERROR_ENVELOPE_SCHEMA }),
  );
}
