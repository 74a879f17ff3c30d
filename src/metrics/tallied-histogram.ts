import { Histogram, type HistogramConfiguration, type LabelValues } from 'prom-client';

/** One series' observations as plain numbers: `observe()` costs a bucket search and three writes. */
export class HistogramTally {
  /** Observations per bucket (not cumulative; prom-client adds them up when it exports). */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

/** What prom-client keeps per series (lib/histogram.js createBaseValues). */
interface SeriesValues {
  labels: object;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * A prom-client histogram whose series are tallied in plain numbers on the hot path and handed to
 * prom-client only when scraped (its `collect` hook), as TalliedCounter does for counters. A
 * prom-client `observe()`, even on a child from `labels(...)`, validates and hashes its labels on
 * every call. The exposition is the same: a series appears once it has an observation, with the
 * same buckets, `_sum` and `_count`.
 */
export class TalliedHistogram<L extends string> {
  readonly histogram: Histogram<L>;
  private readonly bounds: readonly number[];
  private readonly series = new Map<string, { labels: LabelValues<L>; tally: HistogramTally }>();

  constructor(configuration: Omit<HistogramConfiguration<L>, 'collect'> & { buckets: number[] }) {
    this.bounds = [...configuration.buckets].sort((a, b) => a - b);
    this.histogram = new Histogram<L>({ ...configuration, collect: () => this.publish() });
  }

  /** The tally of the series with these labels: ask once, keep it, record with `observe()`. */
  tally(labels: LabelValues<L>): HistogramTally {
    const key = JSON.stringify(Object.entries(labels).sort());
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { labels, tally: new HistogramTally(this.bounds) }));
    return entry.tally;
  }

  private publish(): void {
    const histogram = this.histogram;
    histogram.reset();
    // prom-client has no setter for a series' values: zero() creates it, then it is filled in place.
    const values = (histogram as unknown as { hashMap: Record<string, SeriesValues> }).hashMap;
    for (const { labels, tally } of this.series.values()) {
      if (tally.count === 0) continue;
      histogram.zero(labels);
      const entry = Object.values(values).find((v) => v.labels === labels);
      if (!entry) throw new Error(`tallied histogram: the series ${JSON.stringify(labels)} was not created`);
      this.bounds.forEach((bound, i) => (entry.bucketValues[bound] = tally.counts[i]));
      entry.sum = tally.sum;
      entry.count = tally.count;
    }
  }
}
