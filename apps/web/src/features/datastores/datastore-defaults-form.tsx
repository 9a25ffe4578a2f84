import { Alert, Button, Card, Group, NativeSelect, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconCheck } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SectionHeading } from '../../components/section-heading';
import { ApiError } from '../../lib/api';
import { imageDatastoreIds, useSetDatastoreDefaults, type DatastoreList } from './datastores.queries';

type Field = 'hdd_datastore_id' | 'ssd_datastore_id';

/** Choosing the HDD and SSD defaults (admin_access): the server's messages land on their fields. */
export function DatastoreDefaultsForm({ list }: { list: DatastoreList }) {
  const { t } = useTranslation();
  const setDefaults = useSetDatastoreDefaults();
  const choices = imageDatastoreIds(list.datastores);
  const [values, setValues] = useState<Record<Field, string>>({
    hdd_datastore_id: list.default_hdd ?? choices[0] ?? '',
    ssd_datastore_id: list.default_ssd ?? choices[0] ?? '',
  });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFieldErrors({});
    setFormError(null);
    setDefaults.mutate(values, {
      onSuccess: (saved) => {
        notifications.show({
          color: 'teal',
          icon: <IconCheck size={18} />,
          message: t('datastores.defaults.saved', {
            hdd: saved.default_hdd ?? '',
            ssd: saved.default_ssd ?? '',
          }),
        });
      },
      onError: (error) => {
        const fields = error instanceof ApiError ? error.fields : {};
        const known: Partial<Record<Field, string>> = {};
        if (fields.hdd_datastore_id) known.hdd_datastore_id = fields.hdd_datastore_id;
        if (fields.ssd_datastore_id) known.ssd_datastore_id = fields.ssd_datastore_id;
        setFieldErrors(known);
        if (Object.keys(known).length === 0) setFormError(error.message);
      },
    });
  };

  const select = (field: Field, label: string, chosen: boolean) => (
    <NativeSelect
      label={label}
      name={field}
      w={{ base: '100%', sm: 260 }}
      value={values[field]}
      description={chosen ? undefined : t('datastores.defaults.automatic')}
      error={fieldErrors[field]}
      onChange={(event) => {
        const value = event.currentTarget.value;
        setValues((previous) => ({ ...previous, [field]: value }));
        setFieldErrors((previous) => ({ ...previous, [field]: undefined }));
      }}
      data={choices}
    />
  );

  return (
    <Card withBorder padding="lg" radius="md">
      <form onSubmit={submit} noValidate aria-labelledby="datastore-defaults-title">
        <Stack gap="md">
          <SectionHeading
            id="datastore-defaults-title"
            title={t('datastores.defaults.title')}
            description={t('datastores.defaults.description')}
          />
          {formError ? (
            <Alert
              color="red"
              title={t('datastores.defaults.failed')}
              icon={<IconAlertCircle size={18} />}
              role="alert"
            >
              {formError}
            </Alert>
          ) : null}
          {choices.length === 0 ? (
            <Text c="dimmed">{t('datastores.defaults.none')}</Text>
          ) : (
            <Group align="flex-start" gap="md">
              {select('hdd_datastore_id', t('datastores.defaults.hdd'), list.defaults_chosen.hdd)}
              {select('ssd_datastore_id', t('datastores.defaults.ssd'), list.defaults_chosen.ssd)}
            </Group>
          )}
          <Group>
            <Button type="submit" loading={setDefaults.isPending} disabled={choices.length === 0}>
              {t('datastores.defaults.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
