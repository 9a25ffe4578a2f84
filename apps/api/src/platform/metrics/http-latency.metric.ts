import type { Metric } from 'prom-client';

const BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Series {
  labels: { method: string; route: string; status: string };
  /** counts[i]: observations ≤ BUCKETS[i] and > BUCKETS[i - 1]; the last slot is above every bucket. */
  counts: number[];
  sum: number;
  count: number;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/**
 * The HTTP latency histogram, recorded on every request. prom-client's Histogram validates and hashes its
 * label object on each observation, which cost about a fifth of the throughput of a simple authenticated GET
 * (`npm run bench`); here an observation is one map lookup and a bucket increment, and the Prometheus
 * series are built only when /metrics is read. Registered in the prom-client registry like any metric.
 */
export class HttpLatencyMetric {
  readonly name = 'proxdeck_http_request_duration_seconds';
  readonly help = 'HTTP request latency';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  observe(method: string, route: string, status: number, seconds: number): void {
    this.recordIn(this.seriesFor(method, route, status), seconds);
  }

  /**
   * A recorder bound to one route: what a per-route hook calls, without building a key per request.
   * Series are shared with `observe`, so both paths add to the same figures.
   */
  recorderFor(method: string, route: string): (status: number, seconds: number) => void {
    const byStatus = new Map<number, Series>();
    return (status, seconds) => {
      let series = byStatus.get(status);
      if (!series) {
        series = this.seriesFor(method, route, status);
        byStatus.set(status, series);
      }
      this.recordIn(series, seconds);
    };
  }

  private seriesFor(method: string, route: string, status: number): Series {
    const key = `${method} ${status} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        counts: new Array<number>(BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    return series;
  }

  private recordIn(series: Series, seconds: number): void {
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > (BUCKETS[bucket] ?? Infinity)) bucket += 1;
    series.counts[bucket] = (series.counts[bucket] ?? 0) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const series of this.series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((bound, index) => {
        cumulative += series.counts[index] ?? 0;
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le: bound, ...series.labels },
          value: cumulative,
        });
      });
      values.push({
        metricName: `${this.name}_bucket`,
        labels: { le: '+Inf', ...series.labels },
        value: series.count,
      });
      values.push({ metricName: `${this.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: series.labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series.clear();
  }

  /** prom-client's registry accepts any object with this shape. */
  asPromMetric(): Metric {
    return this as unknown as Metric;
  }
}
