/** Texts of "My API tokens". */
import type { Texts } from '../../lib/i18n';

const en = {
  tokens: {
    title: 'My API tokens',
    description:
      'Tokens let scripts and integrations call the API as you: send one as "Authorization: Bearer <token>". A token never holds more than your permissions.',
    add: 'Create token',
    empty: 'You have no API tokens.',
    loadFailed: 'Your tokens could not be loaded',
    table: {
      label: 'API tokens',
      name: 'Name',
      permissions: 'Permissions',
      expires: 'Expires',
      lastUsed: 'Last used',
      created: 'Created',
      actions: 'Actions',
    },
    allOfMine: 'All of mine',
    never: 'never',
    noExpiry: 'never',
    expired: 'expired',
    lastUsedFrom: '{{at}} from {{ip}}',
    scope: { label: 'Whose tokens', mine: 'Mine', everyone: "Everyone's" },
    owner: 'Owner',
    revoke: 'Revoke',
    revokeOf: 'Revoke {{name}}',
    form: {
      title: 'Create an API token',
      name: 'Name',
      nameHint: 'What it is for, e.g. ci-pipeline',
      permissions: 'Permissions',
      permissionsHint: 'Leave empty for all of yours (as they are at each use)',
      expires: 'Expires on',
      expiresHint: 'Optional',
      submit: 'Create token',
    },
    secret: {
      title: 'Token {{name}} created',
      body: 'Copy the token now: it is shown this once and cannot be shown again.',
      label: 'Token secret',
      copy: 'Copy',
      copied: 'Copied',
      done: 'I copied it',
    },
    confirmRevoke: {
      title: 'Revoke {{name}}?',
      body: 'Every script using {{name}} (of {{owner}}) is refused from now on. This cannot be undone.',
      confirm: 'Revoke {{name}}',
      done: 'Token {{name}} revoked',
    },
    failed: 'That did not work',
  },
} as const;

const ko: Texts<typeof en> = {
  tokens: {
    title: '내 API 토큰',
    description:
      '토큰으로 스크립트와 연동 도구가 나를 대신해 API를 호출합니다. "Authorization: Bearer <토큰>"으로 보내세요. 토큰은 내 권한보다 많은 권한을 갖지 않습니다.',
    add: '토큰 만들기',
    empty: 'API 토큰이 없습니다.',
    loadFailed: '토큰을 불러오지 못했습니다',
    table: {
      label: 'API 토큰',
      name: '이름',
      permissions: '권한',
      expires: '만료',
      lastUsed: '마지막 사용',
      created: '만든 날',
      actions: '작업',
    },
    allOfMine: '내 권한 전체',
    never: '없음',
    noExpiry: '없음',
    expired: '만료됨',
    lastUsedFrom: '{{at}}, {{ip}}에서',
    scope: { label: '토큰 범위', mine: '내 토큰', everyone: '전체 사용자' },
    owner: '소유자',
    revoke: '폐기',
    revokeOf: '{{name}} 폐기',
    form: {
      title: 'API 토큰 만들기',
      name: '이름',
      nameHint: '용도, 예: ci-pipeline',
      permissions: '권한',
      permissionsHint: '비워 두면 내 권한 전체(사용할 때의 권한)',
      expires: '만료일',
      expiresHint: '선택',
      submit: '토큰 만들기',
    },
    secret: {
      title: '토큰 {{name}}을(를) 만들었습니다',
      body: '지금 토큰을 복사하세요. 이번 한 번만 보이며 다시 볼 수 없습니다.',
      label: '토큰 비밀값',
      copy: '복사',
      copied: '복사됨',
      done: '복사했습니다',
    },
    confirmRevoke: {
      title: '{{name}}을(를) 폐기할까요?',
      body: '{{owner}}의 {{name}}을(를) 쓰는 모든 스크립트가 지금부터 거부됩니다. 되돌릴 수 없습니다.',
      confirm: '{{name}} 폐기',
      done: '토큰 {{name}}을(를) 폐기했습니다',
    },
    failed: '처리하지 못했습니다',
  },
};

export const tokensLocales = { en, ko };
