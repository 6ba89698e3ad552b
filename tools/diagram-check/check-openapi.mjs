// Reads an OpenAPI 3 document with swagger-parser, a real validator (its structure against
// the OpenAPI schema, every $ref resolved), then checks recorded responses against it: each
// line of RESPONSES.jsonl is {"method", "path" (as requested: /api/runs/r2026…, matched to
// the document's templates), "status", "body"}, and the body must match that operation's
// response schema (Ajv).
// Prints one JSON line: {"valid": true, "checked": N} or {"valid": false, "errors": [...]};
// exits 1 when invalid.  Usage: node check-openapi.mjs DOCUMENT [RESPONSES.jsonl]
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';

const [docFile, responsesFile] = process.argv.slice(2);
const errors = [];
let api;
try {
  await SwaggerParser.validate(JSON.parse(readFileSync(docFile, 'utf8')));
  api = await SwaggerParser.dereference(JSON.parse(readFileSync(docFile, 'utf8')));
} catch (e) {
  errors.push(`the document: ${e.message}`);
}
let checked = 0;
if (api && responsesFile) {
  // OpenAPI 3.0 schemas are JSON Schema with a few words of their own; formats are not checked.
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const lines = readFileSync(responsesFile, 'utf8').split('\n').filter((l) => l.trim());
  for (const line of lines) {
    const r = JSON.parse(line);
    const template = api.paths[r.path] ? r.path : Object.keys(api.paths).find((t) =>
      new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$').test(r.path));
    const op = api.paths[template]?.[r.method.toLowerCase()];
    const where = `${r.method} ${r.path} ${r.status}`;
    // A route or method the document lacks is right to answer 404 or 405, with an Error.
    if (!op && r.status !== 404 && r.status !== 405) { errors.push(`${where}: not in the document`); continue; }
    const resp = op ? op.responses[String(r.status)] : { content: { 'application/json': { schema: api.components.schemas.Error } } };
    if (!resp) { errors.push(`${where}: the document has no such response`); continue; }
    const schema = resp.content?.['application/json']?.schema;
    if (!schema) { checked++; continue; }
    const validate = ajv.compile(schema);
    if (!validate(r.body))
      errors.push(`${where}: ${validate.errors.map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
    checked++;
  }
}
console.log(JSON.stringify(errors.length ? { valid: false, errors } : { valid: true, checked }));
process.exit(errors.length ? 1 : 0);
