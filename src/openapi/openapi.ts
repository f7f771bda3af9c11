import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The API description the mobile team generates clients from (also committed as openapi.json). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('kona-bff mobile API')
    .setDescription(
      'Authenticated, idempotent endpoints for the mobile card app, in front of KONA PLATE. ' +
        'Every error is application/problem+json (RFC 9457) with a stable `code`.',
    )
    .setVersion('1')
    // The gateway's host differs per deployment (and /docs serves this document from it): a
    // relative server means "the host this document came from"; clients set their base URL.
    .addServer('/', 'This gateway: the host that serves this document (one per deployment).')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  // Set directly: DocumentBuilder's setters write `url`/`email` even when there is none.
  // Proprietary (package.json: UNLICENSED); OpenAPI 3.0 has no SPDX `identifier` and there is no
  // public license text to link, so the license is a name only (redocly.yaml says why).
  config.info.license = { name: 'Proprietary' };
  config.info.contact = { name: 'kona-bff maintainers' };
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
