import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { deliverFixture, linkedTicket, streamOf } from '../webhooks/support.js';
import { startWorker, type TestWorker } from './worker.js';

describe('with SMTP_URL unset, the email goes to the log', () => {
  let api: TestApi;
  let worker: TestWorker;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    await createRepo(api.url, await adminToken(api.url), 'logged');
    worker = startWorker(api, {});
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  it('writes recipient, subject and text at info, and records the notification once', async () => {
    const frank = await newCustomer(api.url, 'frank');
    const ticketId = await linkedTicket(api, frank.token, 'logged', 42, 'VPN drops hourly');
    expect((await deliverFixture(api.url, 'logged', 'issues-closed')).body).toEqual({ result: 'closed' });

    const logged = await waitUntil(
      () =>
        worker.process
          .stdout()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line))
          .find((entry) => entry.mail?.to === frank.email),
      { timeoutMs: 30_000, what: 'the email in the worker log' },
    );
    expect(logged.level).toBe(30);
    expect(logged.mail.subject).toBe('Resolved: VPN drops hourly');
    expect(logged.mail.text).toContain('Your support ticket "VPN drops hourly" has been resolved');

    await worker.settled();
    const notifications = (await streamOf(api, ticketId)).filter((e) => e.type === 'NotificationSent');
    expect(notifications).toHaveLength(1);
    expect(notifications[0].data.to).toBe(frank.email);
  });
});
