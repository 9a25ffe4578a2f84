/**
 * The dashboard's texts.
 * Each top-level key is a namespace this file owns (`t('dashboard.…')`); lib/i18n.ts joins every
 * file's texts. `ko` is typed by `en`, so a text missing in Korean fails typecheck.
 */
import type { Texts } from '../../lib/i18n';

const en = {
  dashboard: {
    title: 'Dashboard',
    welcome: 'Welcome, {{name}}',
    summary: 'You are signed in as {{username}} with the role {{role}}.',
    systemStatus: 'System status',
    overall: 'Overall',
    checkedAt: 'Checked {{time}}',
    refresh: 'Refresh',
    statusUnavailable: 'The status could not be loaded.',
    latency: '{{ms}} ms',
    checks: {
      postgres: 'PostgreSQL',
      redis: 'Redis',
      proxmox: 'Proxmox VE',
    },
  },
} as const;

const ko: Texts<typeof en> = {
  dashboard: {
    title: '대시보드',
    welcome: '{{name}}님, 환영합니다',
    summary: '{{username}} 계정, {{role}} 역할로 로그인했습니다.',
    systemStatus: '시스템 상태',
    overall: '전체',
    checkedAt: '{{time}} 확인',
    refresh: '새로 고침',
    statusUnavailable: '상태를 불러오지 못했습니다.',
    latency: '{{ms}}ms',
    checks: {
      postgres: 'PostgreSQL',
      redis: 'Redis',
      proxmox: 'Proxmox VE',
    },
  },
};

export const dashboardLocales = { en, ko };
