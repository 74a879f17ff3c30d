import { Counter, type CounterConfiguration, type LabelValues } from 'prom-client';

/** One series' count, as a plain number: `inc()` costs a property write, no label lookup. */
export class Tally {
  value = 0;
  inc(): void {
    this.value++;
  }
}

/**
 * A prom-client counter whose series are counted in plain numbers on the hot path and handed to
 * prom-client only when scraped (its `collect` hook). A prom-client `inc()`, even on a child from
 * `labels(...)`, hashes and validates its labels on every call: about as long as the guard's whole
 * cached check. Series are created (at 0) when first asked for, and are never removed, so a
 * counter never goes down while the process lives.
 */
export class TalliedCounter<L extends string> {
  readonly counter: Counter<L>;
  private readonly series = new Map<string, { labels: LabelValues<L>; tally: Tally }>();

  constructor(configuration: Omit<CounterConfiguration<L>, 'collect'>) {
    this.counter = new Counter<L>({ ...configuration, collect: () => this.publish() });
  }

  /** The tally of the series with these labels: ask once, keep it, count with `inc()`. */
  tally(labels: LabelValues<L> = {}): Tally {
    const key = JSON.stringify(Object.entries(labels).sort());
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { labels, tally: new Tally() }));
    return entry.tally;
  }

  private publish(): void {
    this.counter.reset();
    for (const { labels, tally } of this.series.values()) this.counter.inc(labels, tally.value);
  }
}
