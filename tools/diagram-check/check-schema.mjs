// Validates JSON files against a JSON Schema (draft 2020-12) with Ajv, a real validator:
// prints one JSON line per file, {"file", "valid": true} or {"file", "valid": false,
// "errors": [...]}.  Usage: node check-schema.mjs SCHEMA FILE...
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

const [schemaFile, ...files] = process.argv.slice(2);
// Strict, but a `oneOf` of `required` alternatives names properties declared beside it.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
for (const file of files) {
  const valid = validate(JSON.parse(readFileSync(file, 'utf8')));
  console.log(JSON.stringify(valid ? { file, valid } :
    { file, valid, errors: validate.errors.map((e) => `${e.instancePath} ${e.message}`) }));
}
