import type { AdminRepo } from '../../api/types.js';
import { CopyButton } from '../../components/CopyButton.js';

/** What to enter in the Forgejo repository's Settings → Webhooks → Add webhook → Forgejo. */
export function WebhookSettings({ repo }: { repo: AdminRepo }) {
  return (
    <section aria-labelledby="webhook-settings-heading" class="card settings">
      <h2 id="webhook-settings-heading">Forgejo webhook settings</h2>
      <p>
        In Forgejo, open <strong>{`${repo.owner}/${repo.name}`}</strong> → Settings → Webhooks → Add webhook → Forgejo, and enter:
      </p>
      <dl class="settings-list">
        <dt>Target URL</dt>
        <dd>
          <code class="url">{repo.webhookUrl}</code> <CopyButton text={repo.webhookUrl} label="Copy target URL" />
        </dd>
        <dt>HTTP method</dt>
        <dd>
          <code>POST</code>
        </dd>
        <dt>POST content type</dt>
        <dd>
          <code>application/json</code>
        </dd>
        <dt>Secret</dt>
        <dd>The webhook secret you just entered here (it is never shown again).</dd>
        <dt>Trigger on</dt>
        <dd>
          Custom events: <strong>Issues</strong> and <strong>Issue comment</strong>
        </dd>
        <dt>Active</dt>
        <dd>Checked</dd>
      </dl>
    </section>
  );
}
