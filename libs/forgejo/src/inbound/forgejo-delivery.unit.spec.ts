import { describe, expect, it } from '@jest/globals';
import {
  changeOfDelivery,
  deliveryIdOf,
  eventKindFromShape,
  eventKindOf,
  isValidSignature,
  repositoryOf,
  signatureHeader,
  signedBytesOf,
  signPayload,
} from '../index.js';
import { fixture, FIXTURES, FIXTURE_SECRET, type FixtureName } from '../../../../test/webhooks/support.js';

describe('webhook signatures (pure)', () => {
  const body = Buffer.from('{"action":"closed"}');
  const good = signPayload(body, 's3cret');

  it('accepts only the hex HMAC-SHA256 of the exact bytes under the secret', () => {
    expect(isValidSignature(body, 's3cret', good)).toBe(true);
    expect(isValidSignature(body, 's3cret', good.toUpperCase())).toBe(true);
    expect(isValidSignature(Buffer.from('{"action":"closed"} '), 's3cret', good)).toBe(false);
    expect(isValidSignature(body, 'other', good)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['short', good.slice(0, 63)],
    ['long', `${good}00`],
    ['non-hex', `${good.slice(0, 62)}zz`],
    ['prefixed', `sha256=${good}`],
    ['spaced', ` ${good}`],
    ['repeated', `${good}, ${good}`],
  ])('refuses a %s signature', (_label, signature) => {
    expect(isValidSignature(body, 's3cret', signature)).toBe(false);
  });

  it('signs nothing without a secret', () => {
    expect(isValidSignature(body, '', signPayload(body, ''))).toBe(false);
    expect(isValidSignature(body, null, good)).toBe(false);
  });
});

describe('reading a delivery (pure)', () => {
  it('prefers X-Forgejo-* headers and falls back to X-Gitea-*', () => {
    expect(signatureHeader({ 'x-forgejo-signature': 'a', 'x-gitea-signature': 'b' })).toBe('a');
    expect(signatureHeader({ 'x-gitea-signature': 'b' })).toBe('b');
    expect(signatureHeader({ 'x-hub-signature-256': 'sha256=c' })).toBeUndefined();
    expect(deliveryIdOf({ 'x-gitea-delivery': 'e96dc1ec-5fe8-44ff-998b-123f25e34a7e' })).toBe('e96dc1ec-5fe8-44ff-998b-123f25e34a7e');
    expect(deliveryIdOf({ 'x-forgejo-delivery': 'bad id\u0000' })).toBeNull();
    expect(eventKindOf({ 'x-forgejo-event': 'issues' }, {})).toBe('issues');
    expect(eventKindOf({ 'x-gitea-event': 'Pull_Request' }, {})).toBe('pull_request');
  });

  it('tells each fixture’s event from its shape alone, as its headers would', () => {
    for (const [name, { event }] of Object.entries(FIXTURES)) {
      expect({ name, kind: eventKindFromShape(JSON.parse(fixture(name as FixtureName).toString('utf8'))) }).toEqual({ name, kind: event });
    }
    expect(eventKindFromShape([])).toBe('unknown');
    expect(eventKindFromShape('x')).toBe('unknown');
  });

  it('tells an issue change only of an issue, never of a pull request', () => {
    const closed = JSON.parse(fixture('issues-closed').toString('utf8'));
    const repository = { owner: 'acme', name: 'support-desk' };
    const change = (action: string, login: string | null) => ({ kind: 'change', change: { kind: 'issue', action, repository, issueNumber: 42, login } });
    expect(changeOfDelivery('issues', closed)).toEqual(change('closed', 'jdoe'));
    expect(changeOfDelivery('pull_request', JSON.parse(fixture('pull_request-closed').toString('utf8')))).toMatchObject({ kind: 'ignore' });
    expect(changeOfDelivery('issues', JSON.parse(fixture('pull_request-closed').toString('utf8')))).toMatchObject({ kind: 'ignore' });
    expect(changeOfDelivery('issues', { ...closed, issue: { ...closed.issue, pull_request: { merged: true } } })).toMatchObject({ kind: 'ignore' });
    expect(changeOfDelivery('issues', { ...closed, action: 'reopened' })).toEqual(change('reopened', 'jdoe'));
    expect(changeOfDelivery('issues', { ...closed, issue: { ...closed.issue, number: '42' } })).toMatchObject({ kind: 'invalid' });
    expect(changeOfDelivery('issues', { ...closed, sender: { login: 'x\r\ny' } })).toEqual(change('closed', null));
  });

  it('tells a comment change with its id, body and author, and none on a pull request', () => {
    const created = JSON.parse(fixture('issue_comment-created').toString('utf8'));
    expect(changeOfDelivery('issue_comment', created)).toMatchObject({
      kind: 'change',
      change: { kind: 'comment', action: 'created', issueNumber: created.issue.number, comment: { id: created.comment.id, body: created.comment.body } },
    });
    expect(changeOfDelivery('issue_comment', JSON.parse(fixture('issue_comment-created-on-pull').toString('utf8')))).toMatchObject({ kind: 'ignore' });
    expect(changeOfDelivery('issue_comment', { ...created, comment: { ...created.comment, id: 'x' } })).toMatchObject({ kind: 'invalid' });
  });

  it('reads the delivery’s repository from owner.login and name, else full_name; none when it is missing or holds control characters', () => {
    const closed = JSON.parse(fixture('issues-closed').toString('utf8'));
    expect(repositoryOf(closed)).toEqual({ owner: 'acme', name: 'support-desk' });
    expect(repositoryOf({ repository: { full_name: 'Org/Desk' } })).toEqual({ owner: 'Org', name: 'Desk' });
    expect(repositoryOf({ repository: { full_name: 'a/b/c' } })).toBeNull();
    expect(repositoryOf({})).toBeNull();
    expect(repositoryOf({ repository: { owner: { login: 'ac\u0000me' }, name: 'desk' } })).toBeNull();
    expect(repositoryOf({ repository: { owner: { login: 'acme' }, name: 'desk\u001b' } })).toBeNull();
    expect(changeOfDelivery('issues', { ...closed, repository: undefined })).toMatchObject({ kind: 'ignore' });
  });

  it('takes the signed bytes from the raw body, or from a form’s payload field', () => {
    const json = fixture('issues-closed');
    expect(signedBytesOf(json, 'application/json')).toBe(json);
    const form = Buffer.from(`payload=${encodeURIComponent(json.toString('utf8'))}`);
    expect(signedBytesOf(form, 'application/x-www-form-urlencoded; charset=utf-8')).toEqual(json);
    expect(signPayload(signedBytesOf(form, 'application/x-www-form-urlencoded')!, FIXTURE_SECRET)).toBe(FIXTURES['issues-closed'].signature);
    expect(signedBytesOf(Buffer.from('other=1'), 'application/x-www-form-urlencoded')).toBeNull();
  });
});
