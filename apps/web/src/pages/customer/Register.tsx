import * as api from '../../api/calls.js';
import { Link } from '../../components/Link.js';
import { signIn } from '../../session.js';
import { CredentialsForm, type Credentials } from './CredentialsForm.js';

const register = async (credentials: Credentials) => {
  await api.register(credentials);
  await signIn(credentials);
};

export function Register() {
  return (
    <CredentialsForm title="Create account" newAccount submit={register} fieldStatuses={[400, 409]}
      aside={<>Already have an account? <Link href="/app/sign-in">Sign in</Link></>} />
  );
}
