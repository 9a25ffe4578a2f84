import {
  Button,
  Group,
  Modal,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../lib/api';
import { notifyDone } from './firewall-shared';
import { useSaveRule, type Rule, type RuleBody } from './firewall.queries';

const TEXT_FIELDS = ['macro', 'proto', 'dport', 'sport', 'source', 'dest', 'iface', 'comment'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
const LOG_LEVELS = ['nolog', 'emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

interface Values extends Record<TextField, string> {
  type: string;
  action: string;
  log: string;
  enable: boolean;
  insert_at: number;
}

function initial(rule: Rule | null): Values {
  return {
    type: rule?.type ?? 'in',
    action: rule?.action ?? 'ACCEPT',
    macro: rule?.macro ?? '',
    proto: rule?.proto ?? '',
    dport: rule?.dport ?? '',
    sport: rule?.sport ?? '',
    source: rule?.source ?? '',
    dest: rule?.dest ?? '',
    iface: rule?.iface ?? '',
    comment: rule?.comment ?? '',
    log: rule?.log ?? '',
    enable: rule?.enable ?? true,
    insert_at: 0,
  };
}

/**
 * Adding a rule (`rule` null, at a position) or replacing one, in a modal. The API checks the rule as Proxmox
 * would; its message for each field is shown on that field.
 */
export function RuleForm({
  group,
  digest,
  rule,
  onClose,
}: {
  group: string;
  digest: string;
  rule: Rule | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const save = useSaveRule(group);
  const [values, setValues] = useState<Values>(() => initial(rule));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((current) => ({ ...current, [key]: value }));
  };

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setErrors({});
    const body: RuleBody = {
      type: values.type as RuleBody['type'],
      action: values.action as RuleBody['action'],
      enable: values.enable,
    };
    for (const field of TEXT_FIELDS) if (values[field].trim() !== '') body[field] = values[field].trim();
    if (values.log !== '') body.log = values.log as RuleBody['log'];
    if (digest !== '') body.digest = digest;
    if (rule) body.pos = rule.pos;
    else if (values.insert_at > 0) body.insert_at = values.insert_at;
    save.mutate(body, {
      onSuccess: () => {
        notifyDone(t('firewall.rule.saved'));
        onClose();
      },
      onError: (error) => {
        if (error instanceof ApiError && error.status === 409) setErrors({ form: t('firewall.group.stale') });
        else if (error instanceof ApiError && Object.keys(error.fields).length > 0)
          setErrors({ ...error.fields });
        else setErrors({ form: error.message });
      },
    });
  };

  const text = (field: TextField, help?: string) => (
    <TextInput
      label={t(`firewall.rule.${field}`)}
      description={help}
      value={values[field]}
      error={errors[field]}
      onChange={(event) => {
        set(field, event.currentTarget.value);
      }}
    />
  );

  return (
    <Modal
      opened
      onClose={onClose}
      size="lg"
      title={
        rule
          ? t('firewall.rule.titleEdit', { name: group, pos: String(rule.pos) })
          : t('firewall.rule.titleAdd', { name: group })
      }
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Select
              label={t('firewall.rule.type')}
              data={['in', 'out', 'forward']}
              value={values.type}
              error={errors.type}
              allowDeselect={false}
              onChange={(value) => {
                set('type', value ?? 'in');
              }}
            />
            <Select
              label={t('firewall.rule.action')}
              data={['ACCEPT', 'DROP', 'REJECT']}
              value={values.action}
              error={errors.action}
              allowDeselect={false}
              onChange={(value) => {
                set('action', value ?? 'ACCEPT');
              }}
            />
            {text('macro', t('firewall.rule.macroHelp'))}
            {text('proto')}
            {text('dport', t('firewall.rule.portsHelp'))}
            {text('sport', t('firewall.rule.portsHelp'))}
            {text('source', t('firewall.rule.addressHelp'))}
            {text('dest', t('firewall.rule.addressHelp'))}
            {text('iface')}
            <Select
              label={t('firewall.rule.log')}
              data={LOG_LEVELS}
              value={values.log === '' ? null : values.log}
              error={errors.log}
              clearable
              onChange={(value) => {
                set('log', value ?? '');
              }}
            />
          </SimpleGrid>
          {text('comment')}
          <Group>
            <Switch
              label={t('firewall.rule.enable')}
              checked={values.enable}
              onChange={(event) => {
                set('enable', event.currentTarget.checked);
              }}
            />
            {rule ? null : (
              <NumberInput
                label={t('firewall.rule.position')}
                description={t('firewall.rule.positionHelp')}
                min={0}
                w={160}
                value={values.insert_at}
                error={errors.insert_at}
                onChange={(value) => {
                  set('insert_at', typeof value === 'number' ? value : 0);
                }}
              />
            )}
          </Group>
          {errors.form ? (
            <Text c="red" size="sm" role="alert">
              {errors.form}
            </Text>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending}>
              {t('firewall.rule.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
