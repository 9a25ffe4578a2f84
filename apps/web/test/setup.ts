// Testing Library matchers and the browser APIs jsdom lacks that Mantine uses.
import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: (query: string): MediaQueryList =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as Partial<MediaQueryList> as MediaQueryList,
});

class ResizeObserverStub implements ResizeObserver {
  observe(): void {
    /* jsdom has no layout */
  }
  unobserve(): void {
    /* jsdom has no layout */
  }
  disconnect(): void {
    /* jsdom has no layout */
  }
}
window.ResizeObserver = ResizeObserverStub;
window.HTMLElement.prototype.scrollIntoView = () => undefined;

// Polling deadlines generous enough for a loaded CI machine (two cores running lint, build and tests).
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(30_000);
