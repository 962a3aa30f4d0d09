import { useState } from 'preact/hooks';
import * as api from '../../api/calls.js';
import type { RebuildResult } from '../../api/types.js';
import { Alert } from '../../components/Alert.js';
import { usePageTitle } from '../../page-title.js';

export function Rebuild() {
  usePageTitle('Rebuild read models');
  const [result, setResult] = useState<RebuildResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const rebuild = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.adminRebuild());
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="narrow-wide">
      <h1>Rebuild read models</h1>
      <p>Replays the whole event log into fresh read models and switches them in once they are done. Tickets keep being served meanwhile.</p>
      <button type="button" class="button-primary" onClick={rebuild} disabled={busy} aria-describedby="rebuild-result">
        Rebuild
      </button>
      <div id="rebuild-result" role="status" class="result">
        {busy && 'Rebuilding…'}
        {result && (
          <>
            {`Replayed ${result.eventsReplayed} events in ${result.durationMs} ms`}
            {result.parkedEvents > 0 && `; ${result.parkedEvents} could not be applied (see Sync failures)`}
          </>
        )}
      </div>
      <Alert message={error} />
    </div>
  );
}
