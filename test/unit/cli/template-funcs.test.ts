import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate, sprintf } from '../../../src/cli/template.js';
import { renderFormat } from '../../../src/cli/output.js';

const doc = { Name: 'web', State: 'running', Count: 7, Ports: ['80/tcp', '443/tcp'], Labels: { tier: 'front' } };

test('printf: verbs, width, left alignment, quoting', () => {
  assert.equal(compileTemplate('{{printf "%-6s|%3d|%q" .Name .Count .State}}').execute(doc), 'web   |  7|"running"');
  assert.equal(sprintf('%05d %x %.2f %%', [42, 255, 3.14159]), '00042 ff 3.14 %');
  assert.equal(sprintf('%s %s', ['one']), 'one %!s(MISSING)');
});

test('a | inside a quoted argument is not a pipe', () => {
  assert.equal(compileTemplate('{{printf "%s|%s" .Name .State}}').execute(doc), 'web|running');
  assert.equal(compileTemplate('{{join .Ports "|" | upper}}').execute(doc), '80/TCP|443/TCP');
});

test('comparisons and logic in if', () => {
  assert.equal(compileTemplate('{{if eq .State "running"}}up{{else}}down{{end}}').execute(doc), 'up');
  assert.equal(compileTemplate('{{if ne .State "running"}}up{{else}}down{{end}}').execute(doc), 'down');
  assert.equal(compileTemplate('{{if not .Missing}}none{{end}}').execute({ Missing: '' }), 'none');
  assert.equal(compileTemplate('{{if and .Name .State}}both{{end}}').execute(doc), 'both');
  assert.equal(compileTemplate('{{if or .Nope .Name}}one{{end}}').execute({ Nope: '', Name: 'x' }), 'one');
});

test('range over a list and a map; index into a map', () => {
  assert.equal(compileTemplate('{{range .Ports}}[{{.}}]{{end}}').execute(doc), '[80/tcp][443/tcp]');
  assert.equal(compileTemplate('{{index .Labels "tier"}}').execute(doc), 'front');
});

test('table with printf columns gets a header from the field names', () => {
  const out = renderFormat('table {{.Name}}\\t{{.State}}', [doc, { ...doc, Name: 'db', State: 'exited' }], { Name: 'NAMES' });
  assert.deepEqual(out.trimEnd().split('\n').map((l) => l.split(/\s+/)), [['NAMES', 'STATE'], ['web', 'running'], ['db', 'exited']]);
});

test('json prints one object per line', () => {
  const out = renderFormat('json', [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(out.trim().split('\n').map((l) => JSON.parse(l)), [{ a: 1 }, { a: 2 }]);
});
