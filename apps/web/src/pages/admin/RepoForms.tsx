import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../../api/calls.js';
import type { AdminRepo, ReplyMode } from '../../api/types.js';
import { Alert } from '../../components/Alert.js';
import { Field } from '../../components/Field.js';
import { errorFor, formError, generalError, type FormError } from '../../forms.js';

const REPO_FIELDS = ['slug', 'owner', 'name', 'webhookSecret', 'replyMode'];

export const REPLY_MODE_HINT = 'marked: only Forgejo comments whose first line starts with /reply reach the customer; all: every comment but /internal ones.';

export function ReplyModeSelect({ id, value, error, onChange }: { id: string; value: ReplyMode; error?: string; onChange: (mode: ReplyMode) => void }) {
  return (
    <Field id={id} label="Reply mode" hint={REPLY_MODE_HINT} error={error}>
      {(control) => (
        <select {...control} name="replyMode" value={value} onChange={(e) => onChange(e.currentTarget.value as ReplyMode)}>
          <option value="marked">marked</option>
          <option value="all">all</option>
        </select>
      )}
    </Field>
  );
}

/** Submits, keeps the API's error for the fields, and re-enables the form. */
function useSubmit(action: () => Promise<void>) {
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(formError(failure, REPO_FIELDS));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

/** Moves focus into a panel that just opened, so keyboard users land on its first field. */
function useFocusFirst() {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input, select, button')?.focus();
  }, []);
  return form;
}

export function NewRepoForm({ onCreated }: { onCreated: (repo: AdminRepo) => void }) {
  const [slug, setSlug] = useState('');
  const [owner, setOwner] = useState('');
  const [name, setName] = useState('');
  const [webhookSecret, setSecret] = useState('');
  const [replyMode, setReplyMode] = useState<ReplyMode>('marked');
  const { error, busy, submit } = useSubmit(async () => {
    const repo = await api.adminCreateRepo({ slug, owner, name, webhookSecret, replyMode });
    setSlug('');
    setOwner('');
    setName('');
    setSecret('');
    setReplyMode('marked');
    onCreated(repo);
  });
  return (
    <form class="card form" aria-labelledby="new-repo-heading" onSubmit={submit} noValidate>
      <h2 id="new-repo-heading">New repo</h2>
      <Alert message={generalError(error)} />
      <Field id="new-slug" label="Slug" hint="Lowercase letters, digits and -; it names the repo in tickets and in the webhook URL." error={errorFor(error, 'slug')}>
        {(control) => <input {...control} name="slug" required value={slug} onInput={(e) => setSlug(e.currentTarget.value)} />}
      </Field>
      <div class="field-row">
        <Field id="new-owner" label="Owner" error={errorFor(error, 'owner')}>
          {(control) => <input {...control} name="owner" required value={owner} onInput={(e) => setOwner(e.currentTarget.value)} />}
        </Field>
        <Field id="new-name" label="Name" error={errorFor(error, 'name')}>
          {(control) => <input {...control} name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
      </div>
      <Field id="new-secret" label="Webhook secret" hint="The same secret goes into the Forgejo webhook." error={errorFor(error, 'webhookSecret')}>
        {(control) => (
          <input {...control} type="password" name="webhookSecret" autoComplete="new-password" required value={webhookSecret}
            onInput={(e) => setSecret(e.currentTarget.value)} />
        )}
      </Field>
      <ReplyModeSelect id="new-reply-mode" value={replyMode} error={errorFor(error, 'replyMode')} onChange={setReplyMode} />
      <button type="submit" class="button-primary" disabled={busy}>
        Create repo
      </button>
    </form>
  );
}

export function EditRepoForm({ repo, onSaved, onCancel }: { repo: AdminRepo; onSaved: (repo: AdminRepo) => void; onCancel: () => void }) {
  const [owner, setOwner] = useState(repo.owner);
  const [name, setName] = useState(repo.name);
  const [replyMode, setReplyMode] = useState<ReplyMode>(repo.replyMode);
  const form = useFocusFirst();
  const { error, busy, submit } = useSubmit(async () => onSaved(await api.adminUpdateRepo(repo.slug, { owner, name, replyMode })));
  return (
    <form ref={form} class="form panel" aria-label={`Edit ${repo.slug}`} onSubmit={submit} noValidate>
      <Alert message={generalError(error)} />
      <div class="field-row">
        <Field id="edit-owner" label="Owner" error={errorFor(error, 'owner')}>
          {(control) => <input {...control} name="owner" required value={owner} onInput={(e) => setOwner(e.currentTarget.value)} />}
        </Field>
        <Field id="edit-name" label="Name" error={errorFor(error, 'name')}>
          {(control) => <input {...control} name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
      </div>
      <ReplyModeSelect id="edit-reply-mode" value={replyMode} error={errorFor(error, 'replyMode')} onChange={setReplyMode} />
      <div class="actions">
        <button type="submit" class="button-primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function RotateSecretForm({ repo, onSaved, onCancel }: { repo: AdminRepo; onSaved: (repo: AdminRepo) => void; onCancel: () => void }) {
  const [webhookSecret, setSecret] = useState('');
  const form = useFocusFirst();
  const { error, busy, submit } = useSubmit(async () => onSaved(await api.adminUpdateRepo(repo.slug, { webhookSecret })));
  return (
    <form ref={form} class="form panel" aria-label={`Rotate the secret of ${repo.slug}`} onSubmit={submit} noValidate>
      <Alert message={generalError(error)} />
      <Field id="rotate-secret" label="New webhook secret" hint="It replaces the old one at once: enter it in the Forgejo webhook too." error={errorFor(error, 'webhookSecret')}>
        {(control) => (
          <input {...control} type="password" name="webhookSecret" autoComplete="new-password" required value={webhookSecret}
            onInput={(e) => setSecret(e.currentTarget.value)} />
        )}
      </Field>
      <div class="actions">
        <button type="submit" class="button-primary" disabled={busy}>
          Save secret
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function DeleteRepoForm({ repo, onDeleted, onCancel }: { repo: AdminRepo; onDeleted: () => void; onCancel: () => void }) {
  const form = useFocusFirst();
  const { error, busy, submit } = useSubmit(async () => {
    await api.adminDeleteRepo(repo.slug);
    onDeleted();
  });
  return (
    <form ref={form} class="form panel panel-danger" aria-label={`Delete ${repo.slug}`} onSubmit={submit} noValidate>
      <Alert message={error?.message} />
      <p>
        Delete <strong>{repo.slug}</strong> and its webhook secret? Forgejo deliveries to its URL will get 404. A repo with tickets
        cannot be deleted.
      </p>
      <div class="actions">
        <button type="submit" class="button-danger" disabled={busy}>
          Delete repo
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
