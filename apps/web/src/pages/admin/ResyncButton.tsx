import { useState } from 'preact/hooks';
import * as api from '../../api/calls.js';

export function ResyncButton({ ticketId, label = 'Resync' }: { ticketId: string; label?: string }) {
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const resync = async () => {
    setBusy(true);
    try {
      await api.adminResync(ticketId);
      setResult({ ok: true, text: 'Resync started' });
    } catch (error) {
      setResult({ ok: false, text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="resync">
      <button type="button" class="button-small" onClick={resync} disabled={busy}>
        {label}
      </button>
      <span role={result && !result.ok ? 'alert' : 'status'} class={result && !result.ok ? 'inline-error' : 'inline-ok'}>
        {result?.text ?? ''}
      </span>
    </span>
  );
}
