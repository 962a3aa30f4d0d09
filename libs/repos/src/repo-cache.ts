/**
 * Repos by slug in memory, for a while: what a request path looks up on every call (POST /tickets) without a
 * query. Only repos that exist are kept, so a repo created anywhere is found at once. An entry goes when its repo changes in this process (forget), when any process announces the change
 * (see RepoChangeListener), and after `ttlMs` at the latest, the safety net for a notification that never came. Nothing
 * is served from memory while `trusted()` is false (changes would go unheard), and a load that began before an
 * invalidation does not put its possibly old answer back.
 */
export class RepoCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  // bumped by every invalidation: a load that started under an older generation is not stored
  private generation = 0;

  constructor(
    private readonly trusted: () => boolean,
    readonly ttlMs = 5_000,
    readonly maxEntries = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached repo of `slug`, else `load`'s answer (null: no such repo), kept when found and still current. */
  async get(slug: string, load: (slug: string) => Promise<T | null>): Promise<T | null> {
    if (!this.trusted()) return load(slug);
    const entry = this.entries.get(slug);
    if (entry && entry.until > this.now()) return entry.value;
    const generation = this.generation;
    const value = await load(slug);
    if (value !== null && generation === this.generation && this.trusted()) this.store(slug, value);
    return value;
  }

  forget(slug: string): void {
    this.generation++;
    this.entries.delete(slug);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(slug: string, value: T): void {
    this.entries.delete(slug);
    // Map iterates in insertion order: the first key is the oldest entry
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(slug, { value, until: this.now() + this.ttlMs });
  }
}
