import { Box, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLiveState } from '../../lib/sse';
import classes from './notifications.module.css';

/** The header's word for the live stream: live, connecting, reconnecting (a dot only on a phone). */
export function LiveIndicator() {
  const { t } = useTranslation();
  const state = useLiveState();
  return (
    <Group
      gap={6}
      wrap="nowrap"
      role="status"
      data-testid="live-indicator"
      data-state={state}
      title={t(`notifications.live.${state}Hint`)}
    >
      <Box className={classes.dot} data-state={state} />
      <Text size="xs" c="dimmed" className={classes.liveLabel} style={{ whiteSpace: 'nowrap' }}>
        {t(`notifications.live.${state}`)}
      </Text>
    </Group>
  );
}
