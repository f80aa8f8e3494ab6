// Group commit for concurrent requests: callers that arrive while a flush runs wait and go together in the
// next one, so N concurrent requests cost one statement instead of N. The flush gives every item its own
// outcome; an item's error never fails the others (unless the flush itself throws, which fails its batch).
export class Group<I, R> {
  #queue: { item: I; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  #running = false;
  constructor(private readonly flush: (items: I[]) => Promise<(R | Error)[]>) {}

  run(item: I): Promise<R> {
    const p = new Promise<R>((resolve, reject) => this.#queue.push({ item, resolve, reject }));
    if (!this.#running) {
      // Started after the current task, so items submitted together (a commit's events) share the first flush.
      this.#running = true;
      queueMicrotask(() => void this.#drain());
    }
    return p;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          const results = await this.flush(batch.map((w) => w.item));
          batch.forEach((w, i) => {
            const r = results[i];
            if (r instanceof Error) w.reject(r);
            else w.resolve(r as R);
          });
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

const groups = new WeakMap<object, Map<string, Group<unknown, unknown>>>();

/** The group named `name` of an owner (a context): one queue per owner, made on first use. */
export function groupOf<I, R>(owner: object, name: string, flush: (items: I[]) => Promise<(R | Error)[]>): Group<I, R> {
  let byName = groups.get(owner);
  if (!byName) groups.set(owner, (byName = new Map()));
  let g = byName.get(name);
  if (!g) byName.set(name, (g = new Group(flush as never)));
  return g as Group<I, R>;
}
