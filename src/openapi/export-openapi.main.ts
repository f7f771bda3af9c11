import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { renderOpenApiJson } from './openapi-export';

/** `npm run openapi`: rewrites openapi.json, the document the mobile team generates code from. */
renderOpenApiJson()
  .then((json) => {
    writeFileSync('openapi.json', json);
    process.stdout.write('openapi.json written\n');
  })
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
