import {
  Alert,
  Button,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  Title,
  useComputedColorScheme,
} from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { IconInfoCircle, IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { LoadError, LoadingRows } from '../../components/query-state';
import { formatDateTime } from '../../lib/i18n';
import {
  grafanaEmbedQueryOptions,
  metricsQueryOptions,
  monitoringConfigQueryOptions,
  type MetricSeries,
  type MetricsTimeframe,
} from './monitoring.queries';

const TIMEFRAMES: readonly MetricsTimeframe[] = ['hour', 'day', 'week', 'month'];
/** Grafana's `from` for each timeframe, so the embed shows what the charts show. */
const GRAFANA_FROM: Record<MetricsTimeframe, string> = {
  hour: 'now-1h',
  day: 'now-24h',
  week: 'now-7d',
  month: 'now-30d',
};
const COLORS = ['#228be6', '#fa5252', '#40c057', '#fab005'];

type Unit = 'percent' | 'bytes' | 'number';
type Points = number[][];

/** A figure for people: percent, bytes per second (1024-based), or a plain number. */
export function formatValue(unit: Unit, value: number): string {
  if (unit === 'percent') return `${value.toFixed(1)}%`;
  if (unit === 'number') return value.toFixed(2);
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let scaled = value;
  let index = 0;
  while (scaled >= 1024 && index < units.length - 1) {
    scaled /= 1024;
    index += 1;
  }
  return `${scaled.toFixed(index === 0 ? 0 : 1)} ${units[index] ?? ''}`;
}

interface ChartLine {
  key: string;
  label: string;
  points: Points;
}

/** Rows of the chart: one per time, a column per line (lines may miss some times). */
function rowsOf(lines: readonly ChartLine[]): Record<string, number>[] {
  const byTime = new Map<number, Record<string, number>>();
  for (const line of lines)
    for (const [t, v] of line.points) {
      if (t === undefined || v === undefined) continue;
      const row = byTime.get(t) ?? { t };
      row[line.key] = v;
      byTime.set(t, row);
    }
  return [...byTime.values()].sort((a, b) => (a.t ?? 0) - (b.t ?? 0));
}

/** A titled line chart (recharts) of a few series sharing a unit, sized to its box, with the latest figures. */
function MetricChart({ title, unit, lines }: { title: string; unit: Unit; lines: ChartLine[] }) {
  const { t, i18n } = useTranslation();
  const { ref, width } = useElementSize();
  const rows = rowsOf(lines);
  const time = (seconds: number) =>
    new Date(seconds * 1000).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' });
  return (
    <Paper withBorder p="sm" radius="md" data-testid={`chart-${title}`}>
      <Stack gap={4}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Text size="sm" fw={500}>
            {title}
          </Text>
          <Text size="xs" c="dimmed">
            {lines
              .map((line) => {
                const last = line.points.at(-1)?.[1];
                return `${line.label} ${last === undefined ? t('monitoring.metrics.noData') : formatValue(unit, last)}`;
              })
              .join(' · ')}
          </Text>
        </Group>
        <div ref={ref} role="img" aria-label={title}>
          {rows.length < 2 ? (
            <Text size="sm" c="dimmed" py="lg" ta="center">
              {t('monitoring.metrics.noData')}
            </Text>
          ) : (
            <LineChart width={width > 0 ? width : 480} height={200} data={rows} margin={{ top: 8, right: 8 }}>
              <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.4} />
              <XAxis
                dataKey="t"
                type="number"
                domain={['dataMin', 'dataMax']}
                tickFormatter={time}
                fontSize={11}
                minTickGap={40}
              />
              <YAxis
                fontSize={11}
                width={64}
                domain={unit === 'percent' ? [0, 100] : [0, 'auto']}
                tickFormatter={(value: number) => formatValue(unit, value)}
              />
              <Tooltip
                labelFormatter={(label) => formatDateTime(new Date(Number(label) * 1000).toISOString())}
                formatter={(value) => formatValue(unit, Number(value))}
              />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {lines.map((line, index) => (
                <Line
                  key={line.key}
                  dataKey={line.key}
                  name={line.label}
                  stroke={COLORS[index % COLORS.length]}
                  dot={false}
                  strokeWidth={1.5}
                  isAnimationActive={false}
                  connectNulls
                />
              ))}
            </LineChart>
          )}
        </div>
      </Stack>
    </Paper>
  );
}

/**
 * A server's charts (docs/api.md §10): Proxmox's RRD series and, when Prometheus is configured, node_exporter's,
 * over the time range picked, each source asked apart so that a Prometheus failure leaves the RRD charts; and
 * the Grafana dashboard embedded, filtered to the server, when Grafana is configured.
 */
export function ServerCharts({ name }: { name: string }) {
  const { t } = useTranslation();
  const [timeframe, setTimeframe] = useState<MetricsTimeframe>('hour');
  const config = useQuery(monitoringConfigQueryOptions);
  const prometheus = config.data !== undefined && config.data.prometheus_url !== null;
  const grafana = config.data !== undefined && config.data.grafana_url !== null;
  const rrd = useQuery(metricsQueryOptions(name, timeframe, 'pve'));
  const nodeExporter = useQuery({
    ...metricsQueryOptions(name, timeframe, 'node_exporter'),
    enabled: prometheus,
    retry: false,
  });
  const label = (key: keyof MetricSeries): string => t(`monitoring.metrics.series.${key}`);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <SegmentedControl
          aria-label={t('monitoring.metrics.timeframe')}
          value={timeframe}
          onChange={(value) => {
            setTimeframe(value as MetricsTimeframe);
          }}
          data={TIMEFRAMES.map((value) => ({ value, label: t(`monitoring.metrics.timeframes.${value}`) }))}
        />
        <Button
          variant="default"
          size="xs"
          leftSection={<IconRefresh size={14} />}
          onClick={() => {
            void rrd.refetch();
            if (prometheus) void nodeExporter.refetch();
          }}
        >
          {t('monitoring.charts.refresh')}
        </Button>
      </Group>

      <Stack gap="sm" component="section" aria-labelledby="charts-pve">
        <Title order={3} size="h4" id="charts-pve">
          {t('monitoring.charts.pve')}
        </Title>
        {rrd.isError ? (
          <LoadError
            title={t('monitoring.metrics.loadFailed')}
            message={rrd.error.message}
            onRetry={() => void rrd.refetch()}
          />
        ) : rrd.isPending ? (
          <LoadingRows rows={1} height={200} />
        ) : (
          <SimpleGrid cols={{ base: 1, lg: 3 }}>
            <MetricChart
              title={t('monitoring.charts.usage')}
              unit="percent"
              lines={(['cpu', 'mem', 'disk'] as const)
                .filter((key) => (rrd.data.series?.[key].length ?? 0) > 0)
                .map((key) => ({ key, label: label(key), points: rrd.data.series?.[key] ?? [] }))}
            />
            <MetricChart
              title={t('monitoring.charts.network')}
              unit="bytes"
              lines={(['netin', 'netout'] as const).map((key) => ({
                key,
                label: label(key),
                points: rrd.data.series?.[key] ?? [],
              }))}
            />
            <MetricChart
              title={t('monitoring.charts.diskIo')}
              unit="bytes"
              lines={(['diskread', 'diskwrite'] as const).map((key) => ({
                key,
                label: label(key),
                points: rrd.data.series?.[key] ?? [],
              }))}
            />
          </SimpleGrid>
        )}
      </Stack>

      <Stack gap="sm" component="section" aria-labelledby="charts-node-exporter">
        <Title order={3} size="h4" id="charts-node-exporter">
          {t('monitoring.charts.nodeExporter')}
        </Title>
        {config.isPending ? (
          <LoadingRows rows={1} height={60} />
        ) : !prometheus ? (
          <Alert color="gray" icon={<IconInfoCircle size={18} />}>
            {t('monitoring.charts.prometheusOff')}
          </Alert>
        ) : nodeExporter.isError ? (
          <LoadError
            title={t('monitoring.charts.prometheusFailed')}
            message={nodeExporter.error.message}
            onRetry={() => void nodeExporter.refetch()}
          />
        ) : nodeExporter.isPending ? (
          <LoadingRows rows={1} height={200} />
        ) : (
          <>
            {nodeExporter.data.node_exporter_target ? (
              <Text size="xs" c="dimmed">
                {t('monitoring.charts.target', { target: nodeExporter.data.node_exporter_target })}
              </Text>
            ) : null}
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <MetricChart
                title={t('monitoring.charts.usageNode')}
                unit="percent"
                lines={(['cpu', 'mem', 'disk'] as const).map((key) => ({
                  key,
                  label: label(key),
                  points: nodeExporter.data.node_exporter?.[key] ?? [],
                }))}
              />
              <MetricChart
                title={t('monitoring.charts.load')}
                unit="number"
                lines={[
                  {
                    key: 'load1',
                    label: t('monitoring.charts.load1'),
                    points: nodeExporter.data.node_exporter?.load1 ?? [],
                  },
                ]}
              />
              <MetricChart
                title={t('monitoring.charts.networkNode')}
                unit="bytes"
                lines={(['netin', 'netout'] as const).map((key) => ({
                  key,
                  label: label(key),
                  points: nodeExporter.data.node_exporter?.[key] ?? [],
                }))}
              />
              <MetricChart
                title={t('monitoring.charts.diskIoNode')}
                unit="bytes"
                lines={(['diskread', 'diskwrite'] as const).map((key) => ({
                  key,
                  label: label(key),
                  points: nodeExporter.data.node_exporter?.[key] ?? [],
                }))}
              />
            </SimpleGrid>
          </>
        )}
      </Stack>

      {grafana ? <GrafanaEmbed name={name} from={GRAFANA_FROM[timeframe]} /> : null}
    </Stack>
  );
}

/** The Grafana dashboard in kiosk mode, filtered to the server's node_exporter target. */
function GrafanaEmbed({ name, from }: { name: string; from: string }) {
  const { t } = useTranslation();
  const scheme = useComputedColorScheme('light');
  const embed = useQuery({ ...grafanaEmbedQueryOptions(name, from, scheme), retry: false });
  return (
    <Stack gap="sm" component="section" aria-labelledby="charts-grafana">
      <Title order={3} size="h4" id="charts-grafana">
        {t('monitoring.charts.grafana')}
      </Title>
      {embed.isError ? (
        <LoadError
          title={t('monitoring.charts.grafanaFailed')}
          message={embed.error.message}
          onRetry={() => void embed.refetch()}
        />
      ) : embed.isPending ? (
        <LoadingRows rows={1} height={300} />
      ) : (
        <iframe
          src={embed.data.embed_url}
          title={t('monitoring.charts.grafanaTitle', { name })}
          style={{ width: '100%', height: 640, border: 0, borderRadius: 8 }}
          referrerPolicy="no-referrer"
          sandbox="allow-scripts allow-same-origin allow-popups"
        />
      )}
    </Stack>
  );
}
