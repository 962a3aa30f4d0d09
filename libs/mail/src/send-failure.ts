/** Why a send failed, without anything secret (the SMTP URL's credentials never appear). */
export interface SendFailure {
  reason: string;
  code?: string;
  responseCode?: number;
  command?: string;
}

export function describeSendError(error: unknown, smtpUrl: string | null): SendFailure {
  const e = (error ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown; command?: unknown };
  let reason = typeof e.message === 'string' ? e.message : String(error);
  for (const secret of credentialsOf(smtpUrl)) reason = reason.split(secret).join('[redacted]');
  return {
    reason: reason.slice(0, 500),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
    ...(typeof e.command === 'string' ? { command: e.command } : {}),
  };
}

function credentialsOf(smtpUrl: string | null): string[] {
  if (!smtpUrl) return [];
  try {
    const url = new URL(smtpUrl);
    return [url.password, decodeURIComponent(url.password)].filter((s) => s.length > 0);
  } catch {
    return [];
  }
}
