import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PermanentForgejoError, TemporaryForgejoError } from '../client/forgejo-errors.js';
import { IssueCommentIds } from './issue-comment-ids.js';

describe('IssueCommentIds: the comments an issue has now, by GET …/issues/{index}/comments', () => {
  let server: Server;
  let reader: IssueCommentIds;
  let answer: (res: ServerResponse) => void = () => undefined;
  let seen: { url?: string; authorization?: string } = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { url: req.url, authorization: req.headers.authorization };
      req.resume();
      req.on('end', () => answer(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    reader = new IssueCommentIds({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, token: 'secret-token', timeoutMs: 300 });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const reply = (status: number, body: unknown) => (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  it('asks for the issue’s comments with the token and answers their ids', async () => {
    answer = reply(200, [{ id: 11, body: 'a' }, { id: 12, body: 'b' }]);
    expect(await reader.of('acme', 'support desk', 7)).toEqual(new Set([11, 12]));
    expect(seen).toEqual({ url: '/api/v1/repos/acme/support%20desk/issues/7/comments', authorization: 'token secret-token' });
  });

  it('an issue that is gone answers null', async () => {
    answer = reply(404, { message: 'issue not found' });
    expect(await reader.of('acme', 'desk', 7)).toBeNull();
  });

  it('a 5xx, a 429 or no answer is temporary; a 403 permanent', async () => {
    answer = reply(503, { message: 'down' });
    await expect(reader.of('acme', 'desk', 7)).rejects.toBeInstanceOf(TemporaryForgejoError);
    answer = reply(429, { message: 'slow down' });
    await expect(reader.of('acme', 'desk', 7)).rejects.toBeInstanceOf(TemporaryForgejoError);
    answer = () => undefined;
    await expect(reader.of('acme', 'desk', 7)).rejects.toThrow(/timed out after 300 ms/);
    answer = reply(403, { message: 'forbidden' });
    await expect(reader.of('acme', 'desk', 7)).rejects.toBeInstanceOf(PermanentForgejoError);
  });
});
