import { useEffect, useState } from 'preact/hooks';
import * as api from '../../api/calls.js';
import { Alert } from '../../components/Alert.js';
import { Field } from '../../components/Field.js';
import { errorFor, formError, generalError, type FormError } from '../../forms.js';
import { usePageTitle } from '../../page-title.js';
import { navigate } from '../../router.js';
import { useLoad } from '../../use-load.js';

export function NewTicket() {
  usePageTitle('New ticket');
  const repos = useLoad(() => api.listRepos(), []);
  const [repo, setRepo] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!repo && repos.data?.length) setRepo(repos.data[0].slug);
  }, [repos.data]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.createTicket({ repo, title, description });
      navigate(`/app/tickets/${ticket.id}`);
    } catch (failure) {
      setError(formError(failure, ['repo', 'title', 'description']));
      setBusy(false);
    }
  };

  return (
    <div class="narrow-wide">
      <h1>New ticket</h1>
      <Alert message={repos.error ? (repos.error as Error).message : null} />
      {repos.data?.length === 0 && <p class="empty">No repositories to file a ticket against yet: an admin has to add one first.</p>}
      <form class="card form" onSubmit={submit} noValidate>
        <Alert message={generalError(error)} />
        <Field id="repo" label="Repository" error={errorFor(error, 'repo')}>
          {(control) => (
            <select {...control} name="repo" required value={repo} onChange={(e) => setRepo(e.currentTarget.value)}>
              {(repos.data ?? []).map(({ slug }) => (
                <option key={slug} value={slug}>
                  {slug}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="title" label="Title" error={errorFor(error, 'title')}>
          {(control) => (
            <input {...control} name="title" required value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="description" label="Description" error={errorFor(error, 'description')}>
          {(control) => (
            <textarea {...control} name="description" required rows={8} value={description}
              onInput={(e) => setDescription(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="button-primary" disabled={busy}>
          Create ticket
        </button>
      </form>
    </div>
  );
}
