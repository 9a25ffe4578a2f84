import { Group, Paper, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadError, LoadingRows } from '../../components/query-state';
import { SectionHeading } from '../../components/section-heading';
import { serverListQueryOptions } from '../servers/servers.queries';
import { metricsQueryOptions, type MetricSeries, type MetricsTimeframe } from './monitoring.queries';

const TIMEFRAMES: readonly MetricsTimeframe[] = ['hour', 'day', 'week', 'month'];
const SERIES: readonly (keyof MetricSeries)[] = [
  'cpu',
  'mem',
  'disk',
  'netin',
  'netout',
  'diskread',
  'diskwrite',
];
const PERCENT: ReadonlySet<keyof MetricSeries> = new Set(['cpu', 'mem', 'disk']);
const WIDTH = 240;
const HEIGHT = 48;

function formatPoint(series: keyof MetricSeries, value: number): string {
  if (PERCENT.has(series)) return `${value.toFixed(1)}%`;
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let scaled = value;
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${scaled.toFixed(unit === 0 ? 0 : 1)} ${units[unit] ?? ''}`;
}

/** A line of the points over the box; percentages on a 0–100 scale, the rest on their own maximum. */
function Sparkline({ points, percent, label }: { points: number[][]; percent: boolean; label: string }) {
  const values = points.map((point) => point[1] ?? 0);
  const times = points.map((point) => point[0] ?? 0);
  const start = Math.min(...times);
  const span = Math.max(...times) - start || 1;
  const top = percent ? 100 : Math.max(...values) || 1;
  const path = points
    .map((_, i) => {
      const x = (((times[i] ?? 0) - start) / span) * WIDTH;
      const y = HEIGHT - (Math.min(values[i] ?? 0, top) / top) * HEIGHT;
      return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
  return (
    <svg
      viewBox={`0 0 ${String(WIDTH)} ${String(HEIGHT)}`}
      width="100%"
      height={HEIGHT}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <path d={path} fill="none" stroke="var(--mantine-color-blue-6)" strokeWidth={1.5} />
    </svg>
  );
}

/** One server's metrics over a timeframe, as sparklines. */
export function ServerMetrics() {
  const { t } = useTranslation();
  const [server, setServer] = useState<string | null>(null);
  const [timeframe, setTimeframe] = useState<MetricsTimeframe>('hour');
  const servers = useQuery(serverListQueryOptions({ per_page: 200, sort: 'name' }));
  const metrics = useQuery({ ...metricsQueryOptions(server ?? '', timeframe), enabled: server !== null });

  return (
    <Stack gap="sm" component="section" aria-labelledby="metrics-title">
      <SectionHeading
        title={t('monitoring.metrics.title')}
        description={t('monitoring.metrics.description')}
        id="metrics-title"
      />
      <Group align="flex-end" wrap="wrap">
        <Select
          label={t('monitoring.metrics.server')}
          placeholder={t('monitoring.metrics.serverPlaceholder')}
          data={(servers.data?.items ?? []).map((item) => item.name)}
          value={server}
          onChange={setServer}
          searchable
          w={{ base: '100%', sm: 260 }}
        />
        <Select
          label={t('monitoring.metrics.timeframe')}
          data={TIMEFRAMES.map((value) => ({ value, label: t(`monitoring.metrics.timeframes.${value}`) }))}
          value={timeframe}
          onChange={(value) => {
            if (value) setTimeframe(value as MetricsTimeframe);
          }}
          allowDeselect={false}
          w={{ base: '100%', sm: 200 }}
        />
      </Group>
      {server === null ? null : metrics.isError ? (
        <LoadError
          title={t('monitoring.metrics.loadFailed')}
          message={metrics.error.message}
          onRetry={() => void metrics.refetch()}
        />
      ) : metrics.isPending ? (
        <LoadingRows rows={1} height={120} />
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
          {SERIES.map((series) => {
            const points = metrics.data.series?.[series] ?? [];
            const last = points.at(-1)?.[1];
            const name = t(`monitoring.metrics.series.${series}`);
            return (
              <Paper key={series} withBorder p="sm" radius="md" data-testid={`metric-${series}`}>
                <Group justify="space-between" gap="xs">
                  <Text size="sm" fw={500}>
                    {name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {last === undefined
                      ? t('monitoring.metrics.noData')
                      : t('monitoring.metrics.latest', { value: formatPoint(series, last) })}
                  </Text>
                </Group>
                {points.length > 1 ? (
                  <Sparkline points={points} percent={PERCENT.has(series)} label={name} />
                ) : null}
              </Paper>
            );
          })}
        </SimpleGrid>
      )}
    </Stack>
  );
}
