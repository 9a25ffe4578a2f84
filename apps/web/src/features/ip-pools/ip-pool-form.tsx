import { Alert, Button, Group, Modal, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconCheck } from '@tabler/icons-react';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../lib/api';
import { parseDnsList, useSaveIpPool, type IpPool } from './ip-pools.queries';

interface FormValues {
  bridge: string;
  cidr: string;
  gateway: string;
  range_start: string;
  range_end: string;
  dns: string;
}
type Field = keyof FormValues;
const FIELDS: readonly Field[] = ['bridge', 'cidr', 'gateway', 'range_start', 'range_end', 'dns'];

function initialValues(pool: IpPool | null): FormValues {
  if (!pool) return { bridge: '', cidr: '', gateway: '', range_start: '', range_end: '', dns: '' };
  return {
    bridge: pool.bridge,
    cidr: pool.cidr,
    gateway: pool.gateway,
    range_start: pool.range_start,
    range_end: pool.range_end,
    dns: pool.dns.join(', '),
  };
}

function isField(name: string): name is Field {
  return FIELDS.some((field) => field === name);
}

/**
 * Creating a pool (`pool` null) or changing one, in a modal. The server checks everything (network, gateway
 * and range inside it, no overlap); its messages land on their fields.
 */
export function IpPoolForm({ pool, onClose }: { pool: IpPool | null; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveIpPool();
  const [values, setValues] = useState<FormValues>(() => initialValues(pool));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFieldErrors({});
    setFormError(null);
    save.mutate(
      {
        id: pool?.id ?? null,
        body: {
          bridge: values.bridge.trim(),
          cidr: values.cidr.trim(),
          gateway: values.gateway.trim(),
          range_start: values.range_start.trim(),
          range_end: values.range_end.trim(),
          dns: parseDnsList(values.dns),
        },
      },
      {
        onSuccess: (saved) => {
          notifications.show({
            color: 'teal',
            icon: <IconCheck size={18} />,
            message: t(pool ? 'ipPools.form.saved' : 'ipPools.form.created', {
              cidr: saved.cidr,
              bridge: saved.bridge,
            }),
          });
          onClose();
        },
        onError: (error) => {
          const byField: Partial<Record<Field, string>> = {};
          const other: string[] = [];
          if (error instanceof ApiError)
            for (const [name, message] of Object.entries(error.fields)) {
              if (isField(name)) byField[name] = message;
              else other.push(`${name}: ${message}`);
            }
          setFieldErrors(byField);
          if (Object.keys(byField).length === 0 || other.length > 0)
            setFormError([error.message, ...other].join(' '));
        },
      },
    );
  };

  const input = (field: Field, label: string, description?: string) => (
    <TextInput
      label={label}
      name={field}
      required={field !== 'dns'}
      description={description}
      value={values[field]}
      error={fieldErrors[field]}
      autoComplete="off"
      spellCheck={false}
      data-autofocus={field === 'bridge' ? true : undefined}
      onChange={(event) => {
        const value = event.currentTarget.value;
        setValues((previous) => ({ ...previous, [field]: value }));
        setFieldErrors((previous) => ({ ...previous, [field]: undefined }));
      }}
    />
  );

  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={pool ? t('ipPools.form.editTitle', { cidr: pool.cidr }) : t('ipPools.form.createTitle')}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {formError ? (
            <Alert
              color="red"
              title={t('ipPools.form.failed')}
              icon={<IconAlertCircle size={18} />}
              role="alert"
            >
              {formError}
            </Alert>
          ) : null}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {input('bridge', t('ipPools.form.bridge'), t('ipPools.form.bridgeHint'))}
            {input('cidr', t('ipPools.form.cidr'), t('ipPools.form.cidrHint'))}
            {input('range_start', t('ipPools.form.rangeStart'))}
            {input('range_end', t('ipPools.form.rangeEnd'))}
            {input('gateway', t('ipPools.form.gateway'))}
            {input('dns', t('ipPools.form.dns'), t('ipPools.form.dnsHint'))}
          </SimpleGrid>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {pool ? t('ipPools.form.save') : t('ipPools.form.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
