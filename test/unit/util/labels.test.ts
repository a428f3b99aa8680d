import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchLabel } from '../../../src/core/util/labels.js';

test('label filter: key set, key=value, own keys only', () => {
  const labels = { app: 'web', 'com.docker.compose.project': 'p', empty: '' };
  assert.equal(matchLabel(labels, 'app'), true);
  assert.equal(matchLabel(labels, 'app=web'), true);
  assert.equal(matchLabel(labels, 'app=db'), false);
  assert.equal(matchLabel(labels, 'empty='), true);
  assert.equal(matchLabel(labels, 'com.docker.compose.project=p'), true);
  assert.equal(matchLabel(labels, 'missing'), false);
  assert.equal(matchLabel(labels, 'constructor'), false, 'not a key of every object');
  assert.equal(matchLabel(labels, 'toString=x'), false);
});
