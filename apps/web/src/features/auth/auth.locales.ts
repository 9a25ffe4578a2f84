/**
 * The sign-in texts, and the names of roles and permissions wherever a user's are shown.
 * Each top-level key is a namespace this file owns (`t('auth.…')`); lib/i18n.ts joins every
 * file's texts. `ko` is typed by `en`, so a text missing in Korean fails typecheck.
 */
import type { Texts } from '../../lib/i18n';

const en = {
  auth: {
    title: 'Sign in to Proxdeck',
    subtitle: 'Use the account your administrator gave you.',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    failed: 'Sign-in failed',
    sessionExpired: 'Your session has ended. Sign in again to continue.',
    loggedOut: 'You have signed out.',
    usernameRequired: 'Enter your username',
    passwordRequired: 'Enter your password',
    logoutFailed: 'Signing out failed',
    invalidCredentials: 'The username or password is incorrect.',
    rateLimited: 'Too many failed attempts. Wait a while and try again.',
  },
  roles: {
    admin: 'Administrator',
    operator: 'Operator',
    viewer: 'Viewer',
  },
  permissions: {
    view_all: 'View everything',
    create_server: 'Create servers',
    manage_servers: 'Manage servers',
    assign_roles: 'Assign roles',
    manage_firewall: 'Manage firewall',
    manage_backups: 'Manage backups',
    admin_access: 'Administration',
  },
} as const;

const ko: Texts<typeof en> = {
  auth: {
    title: 'Proxdeck 로그인',
    subtitle: '관리자에게 받은 계정으로 로그인하세요.',
    username: '사용자 이름',
    password: '비밀번호',
    submit: '로그인',
    failed: '로그인하지 못했습니다',
    sessionExpired: '세션이 만료되었습니다. 계속하려면 다시 로그인하세요.',
    loggedOut: '로그아웃했습니다.',
    usernameRequired: '사용자 이름을 입력하세요',
    passwordRequired: '비밀번호를 입력하세요',
    logoutFailed: '로그아웃하지 못했습니다',
    invalidCredentials: '사용자 이름 또는 비밀번호가 올바르지 않습니다.',
    rateLimited: '로그인 실패가 너무 많습니다. 잠시 후 다시 시도하세요.',
  },
  roles: {
    admin: '관리자',
    operator: '운영자',
    viewer: '조회자',
  },
  permissions: {
    view_all: '전체 조회',
    create_server: '서버 생성',
    manage_servers: '서버 관리',
    assign_roles: '역할 할당',
    manage_firewall: '방화벽 관리',
    manage_backups: '백업 관리',
    admin_access: '관리',
  },
};

export const authLocales = { en, ko };
