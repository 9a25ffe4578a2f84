import { Group, Pagination, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** The count and the page buttons under a paged list (the buttons only when there is more than one page). */
export function Pager({
  label,
  summary,
  page,
  pages,
  onChange,
}: {
  label: string;
  summary: string;
  page: number;
  pages: number;
  onChange: (page: number) => void;
}) {
  const { t } = useTranslation();
  return (
    <Group justify="space-between" gap="sm">
      <Text size="sm" c="dimmed">
        {summary}
      </Text>
      {pages > 1 ? (
        <nav aria-label={label}>
          <Pagination
            total={pages}
            value={Math.min(page, pages)}
            onChange={onChange}
            siblings={1}
            boundaries={1}
            getControlProps={(control) => ({ 'aria-label': t(`common.pager.${control}`) })}
          />
        </nav>
      ) : null}
    </Group>
  );
}
