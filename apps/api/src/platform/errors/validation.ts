import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { findUnsafeInput } from '../http/safe-input';
import { ValidationFailedError } from './app-error';

/** Flattens class-validator errors to one message per field path (`disks.0.size_gb`). */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    if (messages.length > 0) {
      fields[path] = messages
        .map((message) => message.replace(/^property \S+ should not exist$/, 'unknown field'))
        .join('; ');
    }
    if (error.children?.length) Object.assign(fields, flattenValidationErrors(error.children, path));
  }
  return fields;
}

/**
 * Query strings and path parameters are refused when they hold NUL characters or lone surrogates, as JSON
 * bodies are by the body parser (http-pipeline.ts); then class-validator checks them.
 */
class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') {
      const unsafe = findUnsafeInput(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (unsafe) return Promise.reject(new ValidationFailedError({ [unsafe.field]: unsafe.problem }));
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** Unknown or mistyped fields are a 400 naming the field (docs/api.md §1.2). */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}
