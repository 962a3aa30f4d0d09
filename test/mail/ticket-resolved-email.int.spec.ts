import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { closedPayload, deliver, deliverFixture, forgejoHeaders, linkedTicket, streamOf } from '../webhooks/support.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from './smtp.js';
import { startWorker, type TestWorker } from './worker.js';

const MAIL_FROM = 'support@tickets.example.com';

describe('the customer is emailed when the team closes the issue', () => {
  let api: TestApi;
  let smtp: TestSmtp;
  let worker: TestWorker;
  let admin: string;
  let slugs = 0;

  const newRepo = async () => {
    const slug = `mail-${++slugs}`;
    await createRepo(api.url, admin, slug);
    return slug;
  };
  const mailTo = (email: string) =>
    waitUntil(() => smtp.mailsTo(email)[0], { timeoutMs: 30_000, what: `an email to ${email}` }) as Promise<ReceivedMail>;
  const notificationsOf = async (ticketId: string) => (await streamOf(api, ticketId)).filter((e) => e.type === 'NotificationSent');

  beforeAll(async () => {
    smtp = await startSmtp();
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', WEBHOOK_RATE_LIMIT: '100000', MAIL_FROM });
    admin = await adminToken(api.url);
    worker = startWorker(api, { SMTP_URL: smtp.url, MAIL_FROM });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await smtp?.close();
  });

  it('sends the owner one email naming the ticket, and records NotificationSent in its history', async () => {
    const bob = await newCustomer(api.url, 'bob');
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, bob.token, slug, 42, 'Printer on fire');
    const deliveryId = randomUUID();
    expect((await deliverFixture(api.url, slug, 'issues-closed', deliveryId)).body).toEqual({ result: 'closed' });

    const mail = await mailTo(bob.email);
    expect(mail.envelopeTo).toEqual([bob.email.toLowerCase()]);
    expect(mail.envelopeFrom).toBe(MAIL_FROM);
    expect(mail.headers.get('to')).toEqual([bob.email]);
    expect(mail.headers.get('from')).toEqual([MAIL_FROM]);
    expect(mail.subject).toBe('Resolved: Printer on fire');
    expect(mail.text).toContain('Your support ticket "Printer on fire" has been resolved');
    expect(mail.text).toContain(ticketId);
    expect(mail.html).toContain('<strong>Printer on fire</strong> has been resolved');
    expect(mail.headers.get('content-type')?.[0]).toMatch(/^multipart\/alternative/);

    const closed = (await streamOf(api, ticketId)).find((e) => e.type === 'IssueClosed')!;
    const notification = await waitUntil(async () => (await notificationsOf(ticketId))[0], { what: 'NotificationSent' });
    expect(notification.data).toEqual({ ticketId, notificationFor: closed.id, to: bob.email, sentAt: expect.any(String) });
    expect(notification.metadata).toEqual({ actor: { type: 'system' }, correlationId: deliveryId, causationId: closed.id, via: 'job' });
    expect(mail.headers.get('message-id')?.[0]).toContain(closed.id);

    await worker.settled();
    expect(smtp.mailsTo(bob.email)).toHaveLength(1);
    expect(await notificationsOf(ticketId)).toHaveLength(1);
  });

  it('sends one email for one delivery sent 10 times at once, and none for a redelivery with a new id', async () => {
    const carol = await newCustomer(api.url, 'carol');
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, carol.token, slug, 42, 'Login loops');
    const deliveryId = randomUUID();
    const replies = await Promise.all(Array.from({ length: 10 }, () => deliverFixture(api.url, slug, 'issues-closed', deliveryId)));
    expect(replies.map((r) => r.body.result).sort()).toEqual([...Array(9).fill('already_closed'), 'closed']);
    await mailTo(carol.email);
    expect((await deliverFixture(api.url, slug, 'issues-closed', randomUUID())).body).toEqual({ result: 'already_closed' });

    await worker.settled('every mail job of the deliveries');
    expect((await streamOf(api, ticketId)).filter((e) => e.type === 'IssueClosed')).toHaveLength(1);
    expect(smtp.mailsTo(carol.email)).toHaveLength(1);
    expect(await notificationsOf(ticketId)).toHaveLength(1);
  });

  it('lets no title inject a mail header, and escapes it in the HTML body', async () => {
    const dave = await newCustomer(api.url, 'dave');
    const slug = await newRepo();
    const title = '<b>Help</b>\r\nBcc: mallory@evil.example\r\nX-Injected: yes\n\nbody text\u2028Cc: eve@evil.example';
    const ticketId = await linkedTicket(api, dave.token, slug, 42, title);
    expect((await deliverFixture(api.url, slug, 'issues-closed')).body).toEqual({ result: 'closed' });

    const mail = await mailTo(dave.email);
    expect(mail.envelopeTo).toEqual([dave.email.toLowerCase()]);
    expect(mail.subject).toBe('Resolved: <b>Help</b> Bcc: mallory@evil.example X-Injected: yes body text Cc: eve@evil.example');
    for (const header of ['bcc', 'cc', 'x-injected']) expect(mail.headers.has(header)).toBe(false);
    const headerBlock = mail.raw.split(/\r?\n\r?\n/)[0];
    expect(headerBlock).not.toMatch(/^(Bcc|Cc|X-Injected):/im);
    expect(mail.html).toContain('&lt;b&gt;Help&lt;/b&gt; Bcc: mallory@evil.example');
    expect(mail.html).not.toContain('<b>Help</b>');
    expect(mail.text).toContain('"<b>Help</b> Bcc: mallory@evil.example X-Injected: yes body text Cc: eve@evil.example"');
    await worker.settled();
    expect(smtp.mails.filter((m) => m.envelopeTo.some((to) => to.endsWith('@evil.example')))).toEqual([]);
    expect(await notificationsOf(ticketId)).toHaveLength(1);
  });

  it('still delivers the email, once, when the SMTP server refuses the first 2 attempts', async () => {
    const erin = await newCustomer(api.url, 'erin');
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, erin.token, slug, 42, 'Invoices missing');
    smtp.refuse(erin.email, 2);
    const payload = closedPayload(42, { login: 'mlee' });
    expect((await deliver(api.url, slug, payload, forgejoHeaders('issues', 'issues', payload))).body).toEqual({ result: 'closed' });

    const mail = await mailTo(erin.email);
    expect(mail.subject).toBe('Resolved: Invoices missing');
    expect(smtp.attempts.get(erin.email.toLowerCase())).toBe(3);
    await worker.settled();
    expect(smtp.mailsTo(erin.email)).toHaveLength(1);
    const notifications = await notificationsOf(ticketId);
    expect(notifications).toHaveLength(1);
    expect(notifications[0].data.to).toBe(erin.email);
    // the retries were logged with their reason, the SMTP server's words
    expect(worker.process.stdout()).toContain('Mailbox busy, try again later');
  });
});
