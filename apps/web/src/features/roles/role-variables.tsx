import { NumberInput, PasswordInput, Stack, Switch, TagsInput, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Role, RoleVariable, RoleVariables } from './roles.queries';

/** A variable's text in the language shown (the metadata carries English and Korean). */
export function variableDescription(variable: RoleVariable, language: string): string {
  return language.startsWith('ko') ? variable.description_ko : variable.description;
}

/** A role's label and description in the language shown. */
export function roleTexts(role: Role, language: string): { label: string; description: string } {
  return language.startsWith('ko')
    ? { label: role.label_ko, description: role.description_ko }
    : { label: role.label, description: role.description };
}

/** A default value as shown in the catalogue. */
export function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/**
 * The form's starting values: each variable's default, or what an earlier run was given (a re-run), secret
 * ones always empty (they are never stored, so never shown).
 */
export function initialVariables(role: Role, earlier: RoleVariables = {}): RoleVariables {
  const values: RoleVariables = {};
  for (const variable of role.variables) {
    if (variable.secret) values[variable.name] = '';
    else if (earlier[variable.name] !== undefined) values[variable.name] = earlier[variable.name];
    else if (variable.default !== undefined) values[variable.name] = variable.default;
    else values[variable.name] = variable.type === 'boolean' ? false : variable.type === 'list' ? [] : '';
  }
  return values;
}

function isBlank(value: unknown): boolean {
  return (
    value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
  );
}

/**
 * What the API is sent (`variables`): blank optional values are left out so that the role's defaults apply;
 * whole numbers typed as text become numbers. Problems found before sending, named as the API names them
 * (`variables.<name>`), with its wording.
 */
export function variablesToSend(
  role: Role,
  values: RoleVariables,
  messages: { required: string; integer: string },
): { variables: RoleVariables; problems: Record<string, string> } {
  const variables: RoleVariables = {};
  const problems: Record<string, string> = {};
  for (const variable of role.variables) {
    const value = values[variable.name];
    if (isBlank(value)) {
      if (variable.required) problems[`variables.${variable.name}`] = messages.required;
      continue;
    }
    if (variable.type === 'integer') {
      const number = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(number)) problems[`variables.${variable.name}`] = messages.integer;
      else variables[variable.name] = number;
      continue;
    }
    variables[variable.name] = value;
  }
  return { variables, problems };
}

/** One input per variable of `role`, by its type; secrets in password fields; errors by `variables.<name>`. */
export function RoleVariableFields({
  role,
  values,
  errors,
  onChange,
}: {
  role: Role;
  values: RoleVariables;
  errors: Record<string, string>;
  onChange: (name: string, value: unknown) => void;
}) {
  const { t, i18n } = useTranslation();
  if (role.variables.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {t('ansibleRoles.catalogue.noSettings')}
      </Text>
    );
  return (
    <Stack gap="sm">
      {role.variables.map((variable) => {
        const common = {
          label: variable.name,
          description: variable.secret
            ? `${variableDescription(variable, i18n.language)} · ${t('ansibleRoles.assign.secretHint')}`
            : variableDescription(variable, i18n.language),
          required: variable.required,
          error: errors[`variables.${variable.name}`],
        };
        const value = values[variable.name];
        switch (variable.type) {
          case 'boolean':
            return (
              <Switch
                key={variable.name}
                {...common}
                checked={value === true}
                onChange={(event) => {
                  onChange(variable.name, event.currentTarget.checked);
                }}
              />
            );
          case 'integer':
            return (
              <NumberInput
                key={variable.name}
                {...common}
                allowDecimal={false}
                value={typeof value === 'number' || typeof value === 'string' ? value : ''}
                onChange={(next) => {
                  onChange(variable.name, next);
                }}
              />
            );
          case 'list':
            return (
              <TagsInput
                key={variable.name}
                {...common}
                description={`${common.description} · ${t('ansibleRoles.assign.listHint')}`}
                value={Array.isArray(value) ? value.map(String) : []}
                onChange={(next) => {
                  onChange(variable.name, next);
                }}
              />
            );
          default:
            return variable.secret ? (
              <PasswordInput
                key={variable.name}
                {...common}
                autoComplete="new-password"
                value={typeof value === 'string' ? value : ''}
                onChange={(event) => {
                  onChange(variable.name, event.currentTarget.value);
                }}
              />
            ) : (
              <TextInput
                key={variable.name}
                {...common}
                value={typeof value === 'string' ? value : ''}
                onChange={(event) => {
                  onChange(variable.name, event.currentTarget.value);
                }}
              />
            );
        }
      })}
    </Stack>
  );
}
