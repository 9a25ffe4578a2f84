/**
 * Korean and English texts. Each feature folder keeps its own in `<feature>.locales.ts` (the shell's are in
 * app/app.locales.ts); they are joined here into the i18next resources. The browser's language picks the
 * default; the header's switcher changes it and the choice is remembered in localStorage.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { appLocales } from '../app/app.locales';
import { authLocales } from '../features/auth/auth.locales';
import { dashboardLocales } from '../features/dashboard/dashboard.locales';
import { datastoresLocales } from '../features/datastores/datastores.locales';
import { firewallLocales } from '../features/firewall/firewall.locales';
import { ipPoolsLocales } from '../features/ip-pools/ip-pools.locales';
import { backupsLocales } from '../features/backups/backups.locales';
import { notificationsLocales } from '../features/notifications/notifications.locales';
import { profileLocales } from '../features/profile/profile.locales';
import { tasksLocales } from '../features/tasks/tasks.locales';
import { serversLocales } from '../features/servers/servers.locales';
import { cleanupLocales } from '../features/cleanup/cleanup.locales';
import { adminLocales } from '../features/admin/admin.locales';
import { tokensLocales } from '../features/tokens/tokens.locales';
import { monitoringLocales } from '../features/monitoring/monitoring.locales';
import { rolesLocales } from '../features/roles/roles.locales';
import { statusLocales } from './status.locales';

export const LANGUAGES = [
  { code: 'ko', label: '한국어' },
  { code: 'en', label: 'English' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'proxdeck.language';

/** The Korean counterpart of English texts `T`: the same keys, any wording. */
export type Texts<T> = { readonly [K in keyof T]: T[K] extends string ? string : Texts<T[K]> };

/**
 * The texts of every feature folder (`<feature>.locales.ts`) and of the shell. Each owns its namespaces, the
 * first part of a key (`auth.title`): i18n.spec checks that no namespace is claimed twice.
 */
export const LOCALES = [
  appLocales,
  statusLocales,
  authLocales,
  dashboardLocales,
  notificationsLocales,
  profileLocales,
  tasksLocales,
  datastoresLocales,
  ipPoolsLocales,
  firewallLocales,
  serversLocales,
  cleanupLocales,
  adminLocales,
  tokensLocales,
  monitoringLocales,
  backupsLocales,
  rolesLocales,
] as const;

const en = {
  ...appLocales.en,
  ...statusLocales.en,
  ...authLocales.en,
  ...dashboardLocales.en,
  ...notificationsLocales.en,
  ...profileLocales.en,
  ...tasksLocales.en,
  ...datastoresLocales.en,
  ...ipPoolsLocales.en,
  ...firewallLocales.en,
  ...serversLocales.en,
  ...cleanupLocales.en,
  ...adminLocales.en,
  ...tokensLocales.en,
  ...monitoringLocales.en,
  ...backupsLocales.en,
  ...rolesLocales.en,
};
const ko: Texts<typeof en> = {
  ...appLocales.ko,
  ...statusLocales.ko,
  ...authLocales.ko,
  ...dashboardLocales.ko,
  ...notificationsLocales.ko,
  ...profileLocales.ko,
  ...tasksLocales.ko,
  ...datastoresLocales.ko,
  ...ipPoolsLocales.ko,
  ...firewallLocales.ko,
  ...serversLocales.ko,
  ...cleanupLocales.ko,
  ...adminLocales.ko,
  ...tokensLocales.ko,
  ...monitoringLocales.ko,
  ...backupsLocales.ko,
  ...rolesLocales.ko,
};

export const resources = { en: { translation: en }, ko: { translation: ko } } as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

export function isLanguage(value: unknown): value is Language {
  return LANGUAGES.some((language) => language.code === value);
}

/** The stored choice, else the first browser language we have, else English. */
export function detectLanguage(stored: string | null, browserLanguages: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browserLanguages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

function readStored(): string | null {
  try {
    return globalThis.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function initI18n(language?: Language): typeof i18n {
  const lng = language ?? detectLanguage(readStored(), globalThis.navigator.languages);
  if (!i18n.isInitialized) {
    void i18n.use(initReactI18next).init({
      resources,
      lng,
      fallbackLng: 'en',
      supportedLngs: LANGUAGES.map((l) => l.code),
      interpolation: { escapeValue: false },
      initAsync: false,
      showSupportNotice: false,
    });
  } else if (i18n.language !== lng) {
    void i18n.changeLanguage(lng);
  }
  document.documentElement.lang = lng;
  return i18n;
}

export async function changeLanguage(language: Language): Promise<void> {
  await i18n.changeLanguage(language);
  document.documentElement.lang = language;
  try {
    globalThis.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    /* storage may be disabled; the choice then lasts for this page only */
  }
}

export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
}

/** Dates in the interface's language, in the user's time zone. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLanguage() === 'ko' ? 'ko-KR' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}
