/**
 * The application shell's texts: its name, the navigation, the header, the error pages, common words.
 * Each top-level key is a namespace this file owns (`t('app.…')`); lib/i18n.ts joins every
 * file's texts. `ko` is typed by `en`, so a text missing in Korean fails typecheck.
 */
import type { Texts } from '../lib/i18n';

const en = {
  app: {
    name: 'Proxdeck',
    tagline: 'Virtual machines on Proxmox VE, run as a team',
  },
  nav: {
    label: 'Main navigation',
    toggle: 'Toggle navigation',
    dashboard: 'Dashboard',
    notifications: 'Notifications',
    servers: 'Servers',
    tasks: 'Tasks',
    firewall: 'Firewall',
    backups: 'Backups',
    monitoring: 'Monitoring',
    roles: 'Roles',
    monitoringSettings: 'Monitoring settings',
    datastores: 'Datastores',
    ipPools: 'IP pools',
    cleanup: 'Cleanup',
    administration: 'Administration',
    users: 'Users',
    iam: 'Permissions',
    audit: 'Audit log',
    apiTokens: 'API tokens',
    profile: 'Profile',
  },
  header: {
    account: 'Account',
    signedInAs: 'Signed in as {{username}}',
    profile: 'Profile',
    logout: 'Sign out',
    language: 'Language',
    colorScheme: 'Switch between light and dark',
  },
  errors: {
    title: 'Something went wrong',
    generic: 'An unexpected error occurred. Try again.',
    notFoundTitle: 'Page not found',
    notFound: 'There is no page at this address.',
    forbiddenTitle: 'No access',
    forbidden: 'Your account does not have the permission this page needs.',
    backHome: 'Back to the dashboard',
    retry: 'Try again',
  },
  common: {
    loading: 'Loading…',
    cancel: 'Cancel',
    retry: 'Try again',
    pager: { previous: 'Previous page', next: 'Next page', first: 'First page', last: 'Last page' },
  },
} as const;

const ko: Texts<typeof en> = {
  app: {
    name: 'Proxdeck',
    tagline: 'Proxmox VE 가상 머신을 팀이 함께 운영합니다',
  },
  nav: {
    label: '주 메뉴',
    toggle: '메뉴 열기/닫기',
    dashboard: '대시보드',
    notifications: '알림',
    servers: '서버',
    tasks: '작업',
    firewall: '방화벽',
    backups: '백업',
    monitoring: '모니터링',
    roles: '역할',
    monitoringSettings: '모니터링 설정',
    datastores: '데이터스토어',
    ipPools: 'IP 풀',
    cleanup: '정리',
    administration: '관리',
    users: '사용자',
    iam: '권한',
    audit: '감사 로그',
    apiTokens: 'API 토큰',
    profile: '내 정보',
  },
  header: {
    account: '계정',
    signedInAs: '{{username}}(으)로 로그인됨',
    profile: '내 정보',
    logout: '로그아웃',
    language: '언어',
    colorScheme: '밝은 테마/어두운 테마 전환',
  },
  errors: {
    title: '문제가 발생했습니다',
    generic: '예상하지 못한 오류가 발생했습니다. 다시 시도하세요.',
    notFoundTitle: '페이지를 찾을 수 없습니다',
    notFound: '이 주소에는 페이지가 없습니다.',
    forbiddenTitle: '접근 권한 없음',
    forbidden: '이 페이지에 필요한 권한이 계정에 없습니다.',
    backHome: '대시보드로 돌아가기',
    retry: '다시 시도',
  },
  common: {
    loading: '불러오는 중…',
    cancel: '취소',
    retry: '다시 시도',
    pager: { previous: '이전 페이지', next: '다음 페이지', first: '첫 페이지', last: '마지막 페이지' },
  },
};

export const appLocales = { en, ko };
