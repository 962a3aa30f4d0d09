import { BadRequestException, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';

const MAX_DEPTH = 64;

/** The path of the first string (value or key) holding a NUL character, or null; `path` names the field so far. */
export function findNul(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    const here = path ? `${path}.${key.replaceAll('\u0000', '\\0')}` : key.replaceAll('\u0000', '\\0');
    if (key.includes('\u0000')) return here;
    const found = findNul(inner, here, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Postgres text and jsonb cannot hold U+0000, so a NUL that got that far would be a 500: every body, query and
 * path parameter is refused with a 400 naming the field before any handler sees it.
 */
@Injectable()
export class NoNulCharactersPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const field = findNul(value, metadata.data ?? '');
    if (field !== null) throw new BadRequestException(`${field || metadata.type} must not contain NUL characters`);
    return value;
  }
}
