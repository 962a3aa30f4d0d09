import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Alert } from '../../components/Alert.js';
import { Field } from '../../components/Field.js';
import { errorFor, formError, generalError, type FormError } from '../../forms.js';
import { usePageTitle } from '../../page-title.js';

export interface Credentials {
  email: string;
  password: string;
}

interface Props {
  /** the page's h1, title and submit button */
  title: string;
  newAccount: boolean;
  /** the statuses whose message is shown next to the field it names */
  fieldStatuses?: number[];
  submit: (credentials: Credentials) => Promise<unknown>;
  aside: ComponentChildren;
}

/** The email-and-password form of the sign-in and the create-account pages. */
export function CredentialsForm({ title, newAccount, fieldStatuses, submit, aside }: Props) {
  usePageTitle(title);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await submit({ email, password });
    } catch (failure) {
      setError(formError(failure, ['email', 'password'], fieldStatuses));
      setBusy(false);
    }
  };

  return (
    <div class="narrow">
      <h1>{title}</h1>
      <form class="card form" onSubmit={onSubmit} noValidate>
        <Alert message={generalError(error)} />
        <Field id="email" label="Email" error={errorFor(error, 'email')}>
          {(control) => (
            <input {...control} type="email" name="email" autoComplete={newAccount ? 'email' : 'username'} required value={email}
              onInput={(e) => setEmail(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="password" label="Password" hint={newAccount ? '8 to 200 characters.' : undefined} error={errorFor(error, 'password')}>
          {(control) => (
            <input {...control} type="password" name="password" autoComplete={newAccount ? 'new-password' : 'current-password'} required
              value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="button-primary" disabled={busy}>
          {title}
        </button>
      </form>
      <p class="aside">{aside}</p>
    </div>
  );
}
