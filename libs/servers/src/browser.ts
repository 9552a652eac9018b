// Finding a Chromium for the real-browser checks of the HTML report, the way users have one:
// CHROME_PATH when set, then a chromium / google-chrome on PATH, then a browser Playwright installed
// (PLAYWRIGHT_BROWSERS_PATH, else ~/.cache/ms-playwright). These checks run as their own command,
// `pnpm test:browser` (vitest.browser.config.ts); `pnpm test` runs the structural report tests only.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from './binaries.js';

export type ChromiumLookup =
  | { readonly found: true; readonly executablePath: string; readonly source: string }
  | { readonly found: false; readonly looked: readonly string[] };

const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
// Inside a Playwright browser folder (chromium-<rev>/, chromium_headless_shell-<rev>/), per platform.
const PLAYWRIGHT_BINARIES = [
  'chrome-linux/chrome',
  'chrome-linux64/chrome',
  'chrome-linux/headless_shell',
  'chrome-headless-shell-linux64/chrome-headless-shell',
  'chrome-mac/Chromium.app/Contents/MacOS/Chromium',
  'chrome-win/chrome.exe',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function playwrightBrowsers(root: string): string[] {
  let dirs: string[];
  try {
    dirs = readdirSync(root).filter((d) => d.startsWith('chromium'));
  } catch {
    return [];
  }
  // Full Chromium before the headless shell, newest revision first.
  dirs.sort((a, b) => Number(a.includes('headless')) - Number(b.includes('headless')) || b.localeCompare(a));
  return dirs.flatMap((d) => PLAYWRIGHT_BINARIES.map((bin) => join(root, d, bin)));
}

/** The Chromium to use, and where it was found; or every place looked at. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const looked: string[] = [];
  const given = env.CHROME_PATH;
  if (given !== undefined && given !== '') {
    if (executable(given)) return { found: true, executablePath: given, source: 'CHROME_PATH' };
    looked.push(`CHROME_PATH=${given} (not an executable file)`);
  } else looked.push('CHROME_PATH (not set)');
  for (const name of ON_PATH) {
    const path = findOnPath(name, env.PATH ?? '');
    if (path !== undefined) return { found: true, executablePath: path, source: `${name} on PATH` };
  }
  looked.push(`${ON_PATH.join(', ')} on PATH`);
  const root = env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  for (const path of playwrightBrowsers(root)) {
    if (executable(path)) return { found: true, executablePath: path, source: `Playwright's browsers in ${root}` };
  }
  looked.push(`a Playwright install in ${root}`);
  return { found: false, looked };
}

/** The Chromium to launch; throws, saying where it looked and how to get one, when there is none. */
export function requireChromium(env: NodeJS.ProcessEnv = process.env): string {
  const lookup = findChromium(env);
  if (lookup.found) return lookup.executablePath;
  throw new Error(
    `no Chromium found for the HTML report's browser check; looked at ${lookup.looked.join('; ')}. ` +
      'Set CHROME_PATH, or install one: apt-get install chromium, or pnpm --filter @bourse/backtest exec playwright-core install chromium',
  );
}
