// Debian's chromium: the only browser the tests use (playwright-core never downloads one here).
export const CHROMIUM_PATH = '/usr/bin/chromium';
