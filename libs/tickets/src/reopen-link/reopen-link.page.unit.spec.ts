import { describe, expect, it } from '@jest/globals';
import { confirmPage, expiredLinkPage, invalidLinkPage, REOPEN_PAGE_HEADERS, reopenedPage, usedLinkPage } from './reopen-link.page.js';

describe('the reopen link pages (pure)', () => {
  it('asks before reopening: one button in a form that posts the token back, no script, no inline style', () => {
    const { status, html } = confirmPage('t-1', 'Printer <b>on fire</b>', '4.99.abc');
    expect(status).toBe(200);
    expect(html).toContain('<form method="post" action="/tickets/t-1/reopen">');
    expect(html).toContain('<input type="hidden" name="token" value="4.99.abc">');
    expect(html.match(/<button/g)).toHaveLength(1);
    expect(html).toContain('>Reopen</button>');
    expect(html).toContain('Printer &lt;b&gt;on fire&lt;/b&gt;');
    expect(html).not.toMatch(/<script|\sstyle=|\son\w+=/i);
    expect(REOPEN_PAGE_HEADERS['content-security-policy']).toContain("default-src 'none'");
  });

  it('tells each refusal apart, with a status of its own', () => {
    expect(invalidLinkPage().status).toBe(403);
    expect(expiredLinkPage().status).toBe(410);
    expect(usedLinkPage().status).toBe(410);
    expect(usedLinkPage().html).toContain('This link has already been used');
    expect(expiredLinkPage().html).toContain('This link has expired');
    expect(reopenedPage('T').html).toContain('Your ticket is open again');
  });
});
