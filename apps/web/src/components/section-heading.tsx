import { Text, Title, type TitleOrder } from '@mantine/core';

/** A card's or form's heading: the title and one dimmed line saying what the section is for. */
export function SectionHeading({
  title,
  description,
  order = 3,
  id,
}: {
  title: string;
  description: string;
  order?: TitleOrder;
  /** For `aria-labelledby` of the form or region the heading names. */
  id?: string;
}) {
  return (
    <div>
      <Title order={order} size="h4" id={id}>
        {title}
      </Title>
      <Text size="sm" c="dimmed">
        {description}
      </Text>
    </div>
  );
}
