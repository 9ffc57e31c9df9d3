/**
 * Checks answers against the published OpenAPI documents: finds the documented operation for a
 * method and path, and validates a JSON body against the schema documented for its status
 * (JSON Schema 2020-12, as OpenAPI 3.1 uses, with ajv).
 */
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { emitterDocument } from '../../functions/emitter/index';
import { receiverDocument } from '../../functions/receiver/index';
import type { OpenApiDocument } from '../../functions/platform/openapi/document';

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

export const DOCUMENTS: Record<string, OpenApiDocument> = { receiver: receiverDocument(), emitter: emitterDocument() };

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: object }> }>; requestBody?: { content?: Record<string, { schema?: object }> } };

/** The documented operation of `method` `path` in `doc`, if any. */
export function operationOf(doc: OpenApiDocument, method: string, path: string): Operation | undefined {
  for (const [template, item] of Object.entries(doc.paths ?? {})) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path)) return (item as Record<string, Operation>)[method.toLowerCase()];
  }
  return undefined;
}

/** Validates `value` against `schema`; returns the errors as text, or undefined when valid. */
export function schemaErrors(schema: object, value: unknown): string | undefined {
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  return validate(value) ? undefined : ajv.errorsText(validate.errors);
}

/**
 * Why an answer does not match any document that documents its operation, or undefined when it
 * matches one (or no document has the operation: nothing to hold it to).
 */
export function responseMismatch(method: string, path: string, status: number, body: unknown): string | undefined {
  const problems: string[] = [];
  for (const [name, doc] of Object.entries(DOCUMENTS)) {
    const operation = operationOf(doc, method, path);
    if (!operation) continue;
    const schema = operation.responses?.[String(status)]?.content?.['application/json']?.schema;
    if (!schema) {
      problems.push(`${name}: ${method} ${path} does not document a JSON ${status}`);
      continue;
    }
    const errors = schemaErrors(schema, body);
    if (!errors) return undefined;
    problems.push(`${name}: ${method} ${path} ${status}: ${errors}`);
  }
  return problems.length ? problems.join('; ') : undefined;
}
