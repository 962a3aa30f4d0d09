import { useState } from 'preact/hooks';
import { Alert } from '../../components/Alert.js';
import { Field } from '../../components/Field.js';
import { Link } from '../../components/Link.js';
import { errorFor, formError, generalError, type FormError } from '../../forms.js';
import { usePageTitle } from '../../page-title.js';
import { signIn } from '../../session.js';

export function SignIn() {
  usePageTitle('Sign in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ email, password });
    } catch (failure) {
      setError(formError(failure, ['email', 'password']));
      setBusy(false);
    }
  };

  return (
    <div class="narrow">
      <h1>Sign in</h1>
      <form class="card form" onSubmit={submit} noValidate>
        <Alert message={generalError(error)} />
        <Field id="email" label="Email" error={errorFor(error, 'email')}>
          {(control) => (
            <input {...control} type="email" name="email" autoComplete="username" required value={email}
              onInput={(e) => setEmail(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="password" label="Password" error={errorFor(error, 'password')}>
          {(control) => (
            <input {...control} type="password" name="password" autoComplete="current-password" required value={password}
              onInput={(e) => setPassword(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" class="button-primary" disabled={busy}>
          Sign in
        </button>
      </form>
      <p class="aside">
        New here? <Link href="/app/register">Create account</Link>
      </p>
    </div>
  );
}
