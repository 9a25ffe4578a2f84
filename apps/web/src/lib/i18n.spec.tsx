import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApi, ok } from '../../test/api-mock';
import { makeSession, viewerUser } from '../../test/fixtures';
import { renderApp } from '../../test/render-app';
import { detectLanguage, LOCALES, resources } from './i18n';

const en = resources.en.translation;
const ko = resources.ko.translation;

describe('language', () => {
  it("follows the browser's language unless the user chose one", () => {
    expect(detectLanguage(null, ['ko-KR', 'en-US'])).toBe('ko');
    expect(detectLanguage(null, ['de-DE', 'en-GB'])).toBe('en');
    expect(detectLanguage(null, ['fr-FR'])).toBe('en');
    expect(detectLanguage('en', ['ko-KR'])).toBe('en');
    expect(detectLanguage('xx', ['ko'])).toBe('ko');
  });

  it('has a Korean text for every English one', () => {
    const keys = (texts: object, prefix = ''): string[] =>
      Object.entries(texts).flatMap(([key, value]) =>
        typeof value === 'string' ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`),
      );
    expect(keys(ko)).toEqual(keys(en));
    const untranslated = keys(en).filter((key) => {
      const pick = (texts: object) =>
        key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], texts);
      return pick(en) === pick(ko) && !/^(app\.name|dashboard\.checks\.)/.test(key);
    });
    expect(untranslated).toEqual([]);
  });

  it('takes each namespace from exactly one feature, in both languages', () => {
    for (const language of ['en', 'ko'] as const) {
      const claimed = LOCALES.flatMap((texts) => Object.keys(texts[language]));
      expect(claimed.sort()).toEqual(Object.keys(resources[language].translation).sort());
    }
  });

  it('switches the whole interface to Korean from the header and remembers the choice', async () => {
    mockApi({
      'GET /api/session/check': () => ok(makeSession(viewerUser)),
      'GET /api/health/ready': () => ok({ status: 'ready', checks: {} }),
    });
    renderApp('/');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Language' }));
    await user.click(await screen.findByRole('menuitem', { name: '한국어' }));

    const nav = await screen.findByRole('navigation', { name: '주 메뉴' });
    expect(within(nav).getByRole('link', { name: '대시보드' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Kim Minji님, 환영합니다' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('ko');
    expect(localStorage.getItem('proxdeck.language')).toBe('ko');
  });
});
