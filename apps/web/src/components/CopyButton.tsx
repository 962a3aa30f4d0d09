import { useState } from 'preact/hooks';

// navigator.clipboard needs a secure context (https or localhost); elsewhere the old execCommand way still works.
async function copy(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the fallback
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  }
  area.remove();
  return copied;
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [result, setResult] = useState<string>('');
  const onClick = async (event: MouseEvent) => {
    const button = event.currentTarget as HTMLButtonElement;
    const copied = await copy(text);
    button.focus();
    setResult(copied ? 'Copied' : 'Copy failed: select the URL and copy it');
    window.setTimeout(() => setResult(''), 4000);
  };
  return (
    <span class="copy">
      <button type="button" class="button-small" onClick={onClick}>
        {label}
      </button>
      <span role="status" class="copy-result">
        {result}
      </span>
    </span>
  );
}
