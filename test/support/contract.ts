/**
 * The committed openapi.json as a runtime check: does a real answer (status, content type, the
 * documented headers, the body) match what the contract says for its operation? The generated
 * types only hold at compile time; this is what catches a server that drifted from the contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Schema {
  [keyword: string]: unknown;
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}
interface ResponseObject {
  headers?: Record<string, { schema: Schema }>;
  content?: Record<string, { schema: Schema }>;
}
interface Contract {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { schemas: Record<string, Schema> };
}

export const CONTRACT = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8'),
) as Contract;

/** Every operation of the contract, as `METHOD /path/{template}`. */
export function contractOperations(): string[] {
  return Object.entries(CONTRACT.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** Keywords the check understands; anything else is reported, never silently skipped. */
const CHECKED = new Set([
  ...['$ref', 'allOf', 'type', 'properties', 'required', 'items', 'enum', 'format', 'pattern'],
  ...['minimum', 'maximum', 'minLength', 'maxLength', 'description', 'example'],
]);

/** Where `value` departs from `schema` (empty: it conforms). */
export function schemaProblems(value: unknown, schema: Schema, at = '$'): string[] {
  const problems: string[] = [];
  const unknown = Object.keys(schema).filter((keyword) => !CHECKED.has(keyword));
  if (unknown.length > 0) return [`${at}: the check cannot read ${unknown.join(', ')}`];
  if (schema.$ref) {
    const target = CONTRACT.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
    if (!target) return [`${at}: ${schema.$ref} does not resolve`];
    problems.push(...schemaProblems(value, target, at));
  }
  for (const part of schema.allOf ?? []) problems.push(...schemaProblems(value, part, at));
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const isInteger = typeof value === 'number' && Number.isInteger(value);
  if (schema.type && !(schema.type === type || (schema.type === 'integer' && isInteger))) {
    return [...problems, `${at}: ${JSON.stringify(value)} is not ${schema.type}`];
  }
  if (schema.enum && !schema.enum.includes(value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'number') {
    // int64 = a Kotlin Long; a JSON reader in JS must still get it exactly (below 2^53).
    if (schema.format === 'int64' && !Number.isSafeInteger(value)) {
      problems.push(`${at}: ${value} is not an exact int64 in JSON`);
    }
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: < minimum`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: > maximum`);
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
      problems.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
    if (schema.format === 'uri' && !URL.canParse(value)) problems.push(`${at}: not a URI`);
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      problems.push(`${at}: shorter than ${schema.minLength}`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      problems.push(`${at}: longer than ${schema.maxLength}`);
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) =>
      problems.push(...schemaProblems(item, schema.items!, `${at}[${i}]`)),
    );
  }
  if (schema.properties && type === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!(name in object)) problems.push(`${at}.${name}: required, missing`);
    }
    for (const [name, field] of Object.entries(object)) {
      const declared = schema.properties[name];
      // Stricter than JSON Schema's default on purpose: the gateway sends exactly its contract's
      // fields, so a renamed field shows up even where it is optional.
      if (!declared) problems.push(`${at}.${name}: not in the contract`);
      else problems.push(...schemaProblems(field, declared, `${at}.${name}`));
    }
  }
  return problems;
}

/**
 * Where an answer to `method schemaPath` departs from the contract: its status must be
 * documented, its content type and body must be the documented ones, and every documented
 * header it carries must fit its schema.
 */
export async function answerProblems(
  method: string,
  schemaPath: string,
  response: Response,
): Promise<string[]> {
  const where = `${method} ${schemaPath} → ${response.status}`;
  const documented = CONTRACT.paths[schemaPath]?.[method.toLowerCase()]?.responses;
  const expected = documented?.[String(response.status)];
  if (!expected) return [`${where}: not documented`];
  const problems: string[] = [];
  for (const [name, { schema }] of Object.entries(expected.headers ?? {})) {
    const raw = response.headers.get(name);
    if (raw === null) continue;
    const value = schema.type === 'integer' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
    problems.push(...schemaProblems(value, schema, `header ${name}`));
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  const content = expected.content?.[mediaType];
  if (!content) return [...problems, `${where}: content type ${mediaType} not documented`];
  const text = await response.clone().text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `${where}: body is not JSON`];
  }
  return [...problems, ...schemaProblems(body, content.schema).map((p) => `${where}: ${p}`)];
}
