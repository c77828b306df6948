// Validates one AsyncAPI document with the AsyncAPI Initiative's own parser (@asyncapi/parser): the
// document's structure against the specification's JSON Schema, its references, the Kafka bindings and
// the rules of the core ruleset (operation messages taken from their channel, channel servers, ...).
//
// Usage: node validate.mjs FILE
// Prints one line per diagnostic ("severity code path: message") and a summary. Exits 0 when the
// parser accepts the document with no error-severity diagnostic, 1 when it reports one, 2 on bad usage
// or an unreadable file. Warnings are printed and do not fail. Reads no network: the document's
// references are all local.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { DiagnosticSeverity, Parser } from '@asyncapi/parser';

const SEVERITY = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

async function main(argv) {
  if (argv.length !== 1) {
    console.error('usage: node validate.mjs FILE');
    return 2;
  }
  const file = resolve(argv[0]);
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    console.error(`cannot read ${file}: ${err.message}`);
    return 2;
  }
  const { document, diagnostics } = await new Parser().parse(text, { source: pathToFileURL(file).href });
  for (const d of diagnostics) {
    const where = d.path && d.path.length ? d.path.join('.') : '(document)';
    console.log(`${SEVERITY[d.severity] ?? d.severity} ${d.code} ${where}: ${d.message}`);
  }
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
  const others = diagnostics.length - errors;
  // parse() returns no document when it refused one, even if no diagnostic was marked an error.
  if (errors > 0 || document === undefined) {
    console.log(`INVALID ${file}: ${errors} error(s), ${others} other diagnostic(s)`);
    return 1;
  }
  console.log(`valid AsyncAPI ${document.version()} ${file}: ${others} non-error diagnostic(s)`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
