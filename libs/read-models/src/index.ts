import type { Projection } from '../../projections/src/index.js';

/** Every read model the API serves; the tickets and comments projections join this list. */
export const readModelProjections: Projection[] = [];
