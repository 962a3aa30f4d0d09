/** A problem with the whole form or page, announced when it appears. */
export function Alert({ message }: { message: string | undefined | null }) {
  if (!message) return null;
  return (
    <div role="alert" class="alert">
      {message}
    </div>
  );
}

/** A polite confirmation ("Resync started"). */
export function Notice({ message }: { message: string | undefined | null }) {
  return (
    <p role="status" class={message ? 'notice' : 'notice notice-empty'}>
      {message ?? ''}
    </p>
  );
}
