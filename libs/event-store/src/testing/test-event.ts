import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../index.js';

export function testEvent(type = 'Tested', data: Record<string, unknown> = {}): NewEvent {
  const id = randomUUID();
  return { id, type, data, metadata: { actor: { type: 'system' }, correlationId: id, causationId: id } };
}
