import type { TFunction } from 'i18next';
import { statusLocales } from './status.locales';

type StatusWord = keyof typeof statusLocales.en.status;

const GOOD = new Set(['ok', 'up', 'ready', 'healthy', 'pass']);
const NEUTRAL = new Set(['not_configured', 'simulator', 'unknown', 'skipped']);
const WARN = new Set(['degraded', 'warn', 'warning']);

function normalize(status: string): string {
  return status.toLowerCase().replace(/[\s-]+/g, '_');
}

/** A health word from the API as a Mantine colour. */
export function statusColor(status: string): string {
  const word = normalize(status);
  if (GOOD.has(word)) return 'teal';
  if (NEUTRAL.has(word)) return 'gray';
  if (WARN.has(word)) return 'yellow';
  return 'red';
}

function isStatusWord(word: string): word is StatusWord {
  return Object.hasOwn(statusLocales.en.status, word);
}

/** A health word from the API in the interface's language (the word itself when we have no text). */
export function statusLabel(status: string, t: TFunction): string {
  const word = normalize(status);
  return isStatusWord(word) ? t(`status.${word}`) : status;
}
