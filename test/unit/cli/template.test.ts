import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate } from '../../../src/cli/template.js';
import { renderFormat } from '../../../src/cli/output.js';

const doc = { ID: 'abc', Names: 'web', State: { Status: 'running', ExitCode: 0 }, Env: ['A=1', 'B=2'], Labels: { tier: 'front' } };

test('field paths, nested fields and json', () => {
  assert.equal(compileTemplate('{{.ID}} {{.State.Status}}').execute(doc), 'abc running');
  assert.equal(compileTemplate('{{json .State}}').execute(doc), '{"Status":"running","ExitCode":0}');
  assert.equal(compileTemplate('{{json .}}').execute({ a: 1 }), '{"a":1}');
});

test('functions and pipelines', () => {
  assert.equal(compileTemplate('{{upper .Names}}').execute(doc), 'WEB');
  assert.equal(compileTemplate('{{.Names | upper}}').execute(doc), 'WEB');
  assert.equal(compileTemplate('{{join .Env ","}}').execute(doc), 'A=1,B=2');
  assert.equal(compileTemplate('{{index .Labels "tier"}}').execute(doc), 'front');
  assert.equal(compileTemplate('{{len .Env}}').execute(doc), '2');
});

test('range and if/else', () => {
  assert.equal(compileTemplate('{{range .Env}}[{{.}}]{{end}}').execute(doc), '[A=1][B=2]');
  assert.equal(compileTemplate('{{if .State.ExitCode}}bad{{else}}ok{{end}}').execute(doc), 'ok');
});

test('unknown fields and functions are clear errors', () => {
  assert.throws(() => compileTemplate('{{.Nope}}').execute(doc), /can't evaluate field Nope/);
  assert.throws(() => compileTemplate('{{frob .ID}}').execute(doc), /function "frob" not defined/);
  assert.throws(() => compileTemplate('{{.ID'), /unclosed action/);
});

test('table directive prints a header row and aligns columns', () => {
  const out = renderFormat('table {{.ID}}\t{{.Names}}', [doc, { ...doc, ID: 'longer-id', Names: 'db' }], { ID: 'CONTAINER ID', Names: 'NAMES' });
  assert.equal(out, 'CONTAINER ID   NAMES\nabc            web\nlonger-id      db\n');
});
