import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyProcessState } from '../../src/state/model.js';

test('an empty process state has no active host', () => {
  assert.equal(emptyProcessState().activeHost, null);
});
