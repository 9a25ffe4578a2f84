import { promString } from './prometheus-client';

/**
 * The node_exporter series of a server's charts (docs/api.md §10), as PromQL over the server's node_exporter
 * target (`instance="<address>:<port>"`, as Prometheus names a target discovered from Proxdeck). Each expression
 * aggregates to one series, so that a target scraped by two jobs is not counted twice in a sum.
 */

export const NODE_EXPORTER_SERIES = [
  'cpu',
  'mem',
  'disk',
  'load1',
  'netin',
  'netout',
  'diskread',
  'diskwrite',
] as const;
export type NodeExporterSeries = (typeof NODE_EXPORTER_SERIES)[number];

/** Each timeframe's range and step (about 60 to 90 points, as Proxmox's RRD data). */
export const PROMETHEUS_RANGES = {
  hour: { seconds: 3_600, step: 60 },
  day: { seconds: 86_400, step: 1_200 },
  week: { seconds: 604_800, step: 7_200 },
  month: { seconds: 2_592_000, step: 28_800 },
} as const;

const FILESYSTEMS = 'fstype!~"tmpfs|overlay|squashfs|ramfs|devtmpfs"';

/**
 * The expressions for one target. Counters: at steps of a minute or less `irate` (the last two samples in a
 * two-minute window: right from a target's first scrapes, where `rate` over a window longer than the data would
 * understate), at longer steps `rate` over twice the step (the average between two points of the chart).
 */
export function nodeExporterQueries(target: string, step: number): Record<NodeExporterSeries, string> {
  const instance = `instance=${promString(target)}`;
  const fn = step <= 60 ? 'irate' : 'rate';
  const window = `${String(Math.max(step * 2, 120))}s`;
  const rate = (metric: string, extra = '') =>
    `sum(${fn}(${metric}{${instance}${extra ? `,${extra}` : ''}}[${window}]))`;
  return {
    cpu: `100 * (1 - avg(${fn}(node_cpu_seconds_total{${instance},mode="idle"}[${window}])))`,
    mem: `100 * (1 - avg(node_memory_MemAvailable_bytes{${instance}}) / avg(node_memory_MemTotal_bytes{${instance}}))`,
    disk: `100 * (1 - sum(node_filesystem_avail_bytes{${instance},${FILESYSTEMS}}) / sum(node_filesystem_size_bytes{${instance},${FILESYSTEMS}}))`,
    load1: `avg(node_load1{${instance}})`,
    netin: rate('node_network_receive_bytes_total', 'device!="lo"'),
    netout: rate('node_network_transmit_bytes_total', 'device!="lo"'),
    diskread: rate('node_disk_read_bytes_total'),
    diskwrite: rate('node_disk_written_bytes_total'),
  };
}
