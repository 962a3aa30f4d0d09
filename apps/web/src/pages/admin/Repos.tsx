import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import * as api from '../../api/calls.js';
import type { AdminRepo } from '../../api/types.js';
import { Alert, Notice } from '../../components/Alert.js';
import { CopyButton } from '../../components/CopyButton.js';
import { usePageTitle } from '../../page-title.js';
import { useLoad } from '../../use-load.js';
import { DeleteRepoForm, EditRepoForm, NewRepoForm, RotateSecretForm } from './RepoForms.js';
import { WebhookSettings } from './WebhookSettings.js';

type Action = { slug: string; kind: 'edit' | 'rotate' | 'delete' };

export function Repos() {
  usePageTitle('Repos');
  const repos = useLoad(() => api.adminListRepos(), []);
  const [action, setAction] = useState<Action | null>(null);
  const [settingsFor, setSettingsFor] = useState<AdminRepo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const open = (next: Action) => {
    setNotice(null);
    setAction(action?.slug === next.slug && action.kind === next.kind ? null : next);
  };
  const done = async (message: string, settings: AdminRepo | null = null) => {
    setAction(null);
    setSettingsFor(settings);
    setNotice(message);
    await repos.reload();
  };

  const panel = (repo: AdminRepo) => {
    if (action?.slug !== repo.slug) return null;
    const cancel = () => setAction(null);
    if (action.kind === 'edit') return <EditRepoForm repo={repo} onCancel={cancel} onSaved={(saved) => done(`Saved ${saved.slug}`)} />;
    if (action.kind === 'rotate')
      return <RotateSecretForm repo={repo} onCancel={cancel} onSaved={(saved) => done(`New secret saved for ${saved.slug}: enter it in Forgejo`, saved)} />;
    return <DeleteRepoForm repo={repo} onCancel={cancel} onDeleted={() => done(`Deleted ${repo.slug}`)} />;
  };

  const list = repos.data ?? [];
  return (
    <>
      <h1>Repos</h1>
      <Alert message={repos.error ? (repos.error as Error).message : null} />
      <Notice message={notice} />
      {repos.data && list.length === 0 && <p class="empty">No repos yet: create the first one below.</p>}
      {list.length > 0 && (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Slug</th>
              <th scope="col">Forgejo repository</th>
              <th scope="col">Reply mode</th>
              <th scope="col">Webhook URL</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((repo) => (
              <Fragment key={repo.slug}>
                <tr>
                  <th scope="row" data-label="Slug">
                    {repo.slug}
                  </th>
                  <td data-label="Forgejo repository">{`${repo.owner}/${repo.name}`}</td>
                  <td data-label="Reply mode">{repo.replyMode}</td>
                  <td data-label="Webhook URL">
                    <code class="url">{repo.webhookUrl}</code>
                    <CopyButton text={repo.webhookUrl} label="Copy webhook URL" />
                  </td>
                  <td class="row-actions">
                    <button type="button" class="button-small" aria-expanded={action?.slug === repo.slug && action.kind === 'edit'}
                      onClick={() => open({ slug: repo.slug, kind: 'edit' })}>
                      Edit
                    </button>
                    <button type="button" class="button-small" aria-expanded={action?.slug === repo.slug && action.kind === 'rotate'}
                      onClick={() => open({ slug: repo.slug, kind: 'rotate' })}>
                      Rotate secret
                    </button>
                    <button type="button" class="button-small button-danger-quiet" aria-expanded={action?.slug === repo.slug && action.kind === 'delete'}
                      onClick={() => open({ slug: repo.slug, kind: 'delete' })}>
                      Delete
                    </button>
                  </td>
                </tr>
                {action?.slug === repo.slug && (
                  <tr class="panel-row">
                    <td colSpan={5}>{panel(repo)}</td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {settingsFor && <WebhookSettings repo={settingsFor} />}
      {/* hidden while a row's form is open, so that "Owner", "Name" and "Reply mode" name one field each */}
      {!action && <NewRepoForm onCreated={(repo) => done(`Created ${repo.slug}`, repo)} />}
    </>
  );
}
