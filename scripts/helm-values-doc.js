#!/usr/bin/env node
// `npm run helm:docs`: writes the values table of helm/kona-bff/README.md from the `## @param`
// comments of values.yaml; `--check` only compares, exiting 1 when the table is stale.
// Both exit 1, naming them, when a value has no @param or a @param names no value.
//
// The @param format is readme-generator-for-helm's (`## @param key description`), with one
// addition it lacks: the `##` lines right below a @param continue its description. A @param on an
// object documents the object as a whole (e.g. podSecurityContext); any other object must have
// each of its values documented.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const prettier = require('prettier');
const { parse } = require('yaml');

const ROOT = resolve(__dirname, '..');
const START = '<!-- values-table:start -->';
const END = '<!-- values-table:end -->';

/** `key -> description` of every `## @param`, in file order. */
function readParams(text) {
  const params = new Map();
  let current;
  for (const line of text.split(/\r?\n/)) {
    const param = /^\s*## @param (\S+)\s*(.*)$/.exec(line);
    const more = /^\s*##(?: (.*))?$/.exec(line);
    if (param) {
      if (params.has(param[1])) throw new Error(`@param ${param[1]} appears twice`);
      current = param[1];
      params.set(current, param[2].trim());
    } else if (current && more && !(more[1] ?? '').startsWith('@')) {
      params.set(current, `${params.get(current)} ${(more[1] ?? '').trim()}`.trim());
    } else {
      current = undefined;
    }
  }
  return params;
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Rows in the order of values.yaml, and the problems found on the way. */
function collect(values, params) {
  const rows = [];
  const problems = [];
  const walk = (node, path) => {
    for (const [key, value] of Object.entries(node)) {
      const name = path ? `${path}.${key}` : key;
      if (params.has(name)) rows.push({ name, value, description: params.get(name) });
      else if (isObject(value) && Object.keys(value).length > 0) walk(value, name);
      else problems.push(`${name} has no @param`);
    }
  };
  walk(values, '');
  const documented = new Set(rows.map((r) => r.name));
  for (const [name, description] of params) {
    if (!documented.has(name)) problems.push(`@param ${name} names no value`);
    if (description === '') problems.push(`@param ${name} has no description`);
  }
  return { rows, problems };
}

const cell = (text) => text.replace(/\|/g, '\\|');
/** The default as JSON; a long object or list would make every row of the table that wide. */
function literal(value) {
  const json = JSON.stringify(value) ?? 'null';
  return json.length > 48 ? 'see values.yaml' : `\`${cell(json)}\``;
}

function table(rows) {
  return [
    '| Value | Description | Default |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| \`${r.name}\` | ${cell(r.description)} | ${literal(r.value)} |`),
  ].join('\n');
}

/** The README with its table replaced, formatted as `npm run format` would. */
async function render(valuesText, readmeText, readmePath) {
  const { rows, problems } = collect(parse(valuesText) ?? {}, readParams(valuesText));
  const start = readmeText.indexOf(START);
  const end = readmeText.indexOf(END);
  if (start < 0 || end < start) problems.push(`the README has no ${START} ... ${END} block`);
  if (problems.length > 0) return { problems };
  const text = `${readmeText.slice(0, start + START.length)}\n\n${table(rows)}\n\n${readmeText.slice(end)}`;
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return { problems, text: await prettier.format(text, { ...options, filepath: readmePath }) };
}

async function main(argv) {
  const option = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? resolve(argv[i + 1]) : fallback;
  };
  const valuesPath = option('--values', join(ROOT, 'helm/kona-bff/values.yaml'));
  const readmePath = option('--readme', join(ROOT, 'helm/kona-bff/README.md'));
  const readme = readFileSync(readmePath, 'utf8');
  const { problems, text } = await render(readFileSync(valuesPath, 'utf8'), readme, readmePath);
  if (problems.length > 0) {
    console.error(`${valuesPath}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  if (text === readme) return 0;
  if (argv.includes('--check')) {
    console.error(`${readmePath}: the values table is stale; run npm run helm:docs`);
    return 1;
  }
  writeFileSync(readmePath, text);
  console.log(`wrote ${readmePath}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}

module.exports = { readParams, collect };
