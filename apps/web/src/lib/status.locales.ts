/**
 * The health words the API reports, as status.ts shows them.
 * Each top-level key is a namespace this file owns (`t('status.…')`); lib/i18n.ts joins every
 * file's texts. `ko` is typed by `en`, so a text missing in Korean fails typecheck.
 */
import type { Texts } from './i18n';

const en = {
  status: {
    ok: 'Healthy',
    up: 'Healthy',
    ready: 'Ready',
    degraded: 'Degraded',
    unavailable: 'Unavailable',
    down: 'Down',
    error: 'Error',
    not_ready: 'Not ready',
    not_configured: 'Not configured',
    simulator: 'Simulator',
    unknown: 'Unknown',
  },
} as const;

const ko: Texts<typeof en> = {
  status: {
    ok: '정상',
    up: '정상',
    ready: '준비됨',
    degraded: '저하됨',
    unavailable: '사용 불가',
    down: '중단',
    error: '오류',
    not_ready: '준비 안 됨',
    not_configured: '설정 안 됨',
    simulator: '시뮬레이터',
    unknown: '알 수 없음',
  },
};

export const statusLocales = { en, ko };
