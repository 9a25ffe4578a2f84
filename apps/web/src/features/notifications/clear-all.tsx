import { Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications as toasts } from '@mantine/notifications';
import { IconCheck } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useClearAll } from './notifications.queries';

/**
 * "Clear all", asked first: the confirmation says that every one of the user's notifications is hidden.
 * Call the hook in a component that stays mounted until the answer arrives (it reports the result).
 */
export function useConfirmClearAll(): { confirm: () => void; isPending: boolean } {
  const { t } = useTranslation();
  const clearAll = useClearAll();
  const confirm = () => {
    modals.openConfirmModal({
      title: t('notifications.clearAll.title'),
      children: <Text size="sm">{t('notifications.clearAll.body')}</Text>,
      labels: { confirm: t('notifications.clearAll.confirm'), cancel: t('notifications.clearAll.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        clearAll.mutate(undefined, {
          onSuccess: ({ hidden }) => {
            toasts.show({
              color: 'teal',
              icon: <IconCheck size={18} />,
              message: t('notifications.clearAll.done', { hidden: String(hidden) }),
            });
          },
          onError: (error) => {
            toasts.show({ color: 'red', title: t('notifications.clearAll.failed'), message: error.message });
          },
        });
      },
    });
  };
  return { confirm, isPending: clearAll.isPending };
}
