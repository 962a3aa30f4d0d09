// Which form field an API error belongs to: the API's 400 (and some 409) messages start with or name the field.
import { ApiError } from './api/client.js';

export interface FormError {
  field: string | null;
  message: string;
}

export function formError(error: unknown, fields: readonly string[], fieldStatuses: readonly number[] = [400]): FormError {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ApiError) || !fieldStatuses.includes(error.status)) return { field: null, message };
  const lower = message.toLowerCase();
  const field =
    fields.find((name) => lower.startsWith(name.toLowerCase())) ??
    fields.find((name) => new RegExp(`\\b${name.toLowerCase()}\\b`).test(lower)) ??
    null;
  return { field, message };
}

/** The message for `field`, if the error is about it. */
export const errorFor = (error: FormError | null, field: string): string | undefined =>
  error?.field === field ? error.message : undefined;

/** The message for the form as a whole, if the error names none of its fields. */
export const generalError = (error: FormError | null): string | undefined => (error && !error.field ? error.message : undefined);
