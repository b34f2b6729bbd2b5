#!/usr/bin/env node
// validate.js - validate JSON documents against a JSON Schema with ajv.
//
//   node validate.js SCHEMA.json DOC.json [DOC.json...]     (DOC "-": stdin)
//
// The draft is the one the schema's $schema names: 2020-12, 2019-09 or
// draft-07 (also draft-06, and draft-07 when $schema is absent); any other
// $schema is refused. Ajv runs in strict mode (strict: true: unknown
// keywords, unknown formats, keywords that cannot apply to the types the
// schema allows, ignored "additionalItems" and the like are schema errors,
// never silently ignored), with two exceptions: union types ("type":
// ["string", "object"]) are allowed, being plain JSON Schema, and
// strictRequired is off, because it rejects the standard idioms "if/then
// required", "not required" and "anyOf required" whose properties are
// declared in the enclosing schema. allErrors is on; formats are those of
// ajv-formats (date, date-time, uri, email...), any other format an error.
//
// Exit status: 0 every document is valid; 1 some document is invalid, each
// error printed to stderr as "DOC: INSTANCE-PATH: MESSAGE" (the instance
// path a JSON Pointer, "(root)" for the whole document; DOC "(stdin)" for
// "-"); 2 usage error, an unreadable or non-JSON file, or a
// schema that does not compile (never reported as valid).
//
// Installed with `npm ci --prefix tests/tools` (scripts/bootstrap does it);
// the tests run it through tests/json_schema.c.
'use strict';

const fs = require('fs');

const USAGE = 'usage: node validate.js SCHEMA.json DOC.json [DOC.json...]  (DOC "-" reads stdin)';

function fail(msg) {
	process.stderr.write(`validate.js: ${msg}\n`);
	process.exit(2);
}

let stdinText = null;
function readText(path) {
	try {
		if (path === '-') {
			if (stdinText === null)
				stdinText = fs.readFileSync(0, 'utf8');
			return stdinText;
		}
		return fs.readFileSync(path, 'utf8');
	} catch (e) {
		fail(`${path}: cannot read: ${e.message}`);
	}
	return null;
}

function readJson(path, what) {
	const text = readText(path);
	try {
		return JSON.parse(text);
	} catch (e) {
		fail(`${path === '-' ? '(stdin)' : path}: ${what} is not valid JSON: ${e.message}`);
	}
	return null;
}

// The ajv class for a schema's $schema (trailing "#" and http/https alike).
function ajvClassFor(schema) {
	const id = schema.$schema;
	if (id === undefined)
		return require('ajv').default; // draft-07
	if (typeof id !== 'string')
		fail('$schema is not a string');
	const norm = id.replace(/^https?:\/\//, '').replace(/#$/, '');
	switch (norm) {
	case 'json-schema.org/draft/2020-12/schema':
		return require('ajv/dist/2020').default;
	case 'json-schema.org/draft/2019-09/schema':
		return require('ajv/dist/2019').default;
	case 'json-schema.org/draft-07/schema':
		return require('ajv').default;
	case 'json-schema.org/draft-06/schema':
		return 'draft-06';
	default:
		fail(`unsupported $schema ${JSON.stringify(id)} (supported: draft-07, 2019-09, 2020-12)`);
	}
	return null;
}

// What an error's params add to ajv's message, where the message alone does
// not say which property or value.
function detail(err) {
	const p = err.params || {};
	switch (err.keyword) {
	case 'additionalProperties':
		return `: ${p.additionalProperty}`;
	case 'unevaluatedProperties':
		return `: ${p.unevaluatedProperty}`;
	case 'enum':
		return `: ${JSON.stringify(p.allowedValues)}`;
	case 'propertyNames':
		return p.propertyName !== undefined ? `: ${p.propertyName}` : '';
	default:
		return '';
	}
}

function main(argv) {
	if (argv.length < 2 || argv.includes('-h') || argv.includes('--help')) {
		process.stderr.write(USAGE + '\n');
		process.exit(argv.length < 2 ? 2 : 0);
	}
	const [schemaPath, ...docs] = argv;
	if (schemaPath === '-')
		fail('the schema cannot be read from stdin');
	const schema = readJson(schemaPath, 'the schema');
	if (typeof schema !== 'object' && typeof schema !== 'boolean')
		fail(`${schemaPath}: a schema must be an object or a boolean`);

	let Ajv = typeof schema === 'object' && schema !== null ? ajvClassFor(schema) : require('ajv/dist/2020').default;
	let draft06 = false;
	if (Ajv === 'draft-06') {
		Ajv = require('ajv').default;
		draft06 = true;
	}
	const addFormats = require('ajv-formats').default;
	let validate;
	try {
		const ajv = new Ajv({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
		if (draft06)
			ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
		addFormats(ajv);
		validate = ajv.compile(schema);
	} catch (e) {
		fail(`${schemaPath}: schema does not compile: ${e.message}`);
	}

	let invalid = false;
	for (const doc of docs) {
		const name = doc === '-' ? '(stdin)' : doc;
		const data = readJson(doc, 'the document');
		if (validate(data))
			continue;
		invalid = true;
		for (const err of validate.errors)
			process.stderr.write(`${name}: ${err.instancePath || '(root)'}: ${err.message}${detail(err)}\n`);
	}
	process.exit(invalid ? 1 : 0);
}

main(process.argv.slice(2));
