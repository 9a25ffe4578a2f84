import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ServerStatus } from './servers.queries';

const COLORS: Record<ServerStatus, string> = {
  creating: 'blue',
  running: 'teal',
  stopped: 'gray',
  paused: 'yellow',
  deleting: 'orange',
  failed: 'red',
  missing: 'red',
  unknown: 'gray',
};

/** A server's status as a coloured word. */
export function ServerStatusBadge({ status }: { status: ServerStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[status]} variant="light">
      {t(`servers.statuses.${status}`)}
    </Badge>
  );
}
