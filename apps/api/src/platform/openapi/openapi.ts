import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The OpenAPI document of the API: the machine-readable form of docs/api.md. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Proxdeck API')
    .setDescription(
      'Run the whole life of virtual machines on a Proxmox VE cluster. Every operation declares its access ' +
        'in `x-proxdeck-access`: public, authenticated, or a permission. Cookie-authenticated writes need the ' +
        '`X-CSRF-Token` header; API tokens use `Authorization: Bearer`.',
    )
    .setVersion('0.1.0')
    .addCookieAuth('proxdeck_session', { type: 'apiKey', in: 'cookie' }, 'session')
    .addBearerAuth({ type: 'http', scheme: 'bearer' }, 'token')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

export function setUpOpenApi(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', raw: ['json'] });
}
