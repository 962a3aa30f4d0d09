import { Link } from '../../components/Link.js';
import { signIn } from '../../session.js';
import { CredentialsForm } from './CredentialsForm.js';

export function SignIn() {
  return (
    <CredentialsForm title="Sign in" newAccount={false} submit={signIn}
      aside={<>New here? <Link href="/app/register">Create account</Link></>} />
  );
}
