// Where the real-browser checks look for Chromium, with stand-in executables in a temp folder.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@bourse/servers/testing';
import { findChromium, requireChromium } from './browser.js';

const dir = tempDir('bourse-browser-');
afterAll(() => dir.remove());

function executable(rel: string): string {
  mkdirSync(join(dir.path, rel, '..'), { recursive: true });
  const path = dir.file(rel, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('findChromium', () => {
  const bin = join(dir.path, 'bin');
  const browsers = join(dir.path, 'ms-playwright');
  const chrome = executable('bin/google-chrome');
  const shell = executable('ms-playwright/chromium_headless_shell-1200/chrome-linux/headless_shell');
  const full = executable('ms-playwright/chromium-1200/chrome-linux/chrome');

  it('takes CHROME_PATH first, then a browser on PATH, then a Playwright install (full Chromium first)', () => {
    const own = executable('own/chromium');
    expect(findChromium({ CHROME_PATH: own, PATH: bin, PLAYWRIGHT_BROWSERS_PATH: browsers })).toEqual({
      found: true,
      executablePath: own,
      source: 'CHROME_PATH',
    });
    expect(findChromium({ PATH: bin, PLAYWRIGHT_BROWSERS_PATH: browsers })).toMatchObject({
      executablePath: chrome,
      source: 'google-chrome on PATH',
    });
    expect(findChromium({ PATH: '', PLAYWRIGHT_BROWSERS_PATH: browsers })).toMatchObject({ executablePath: full });
    expect(shell).toContain('headless_shell');
  });

  it('says where it looked when there is none, and requireChromium names the ways to get one', () => {
    const env = { CHROME_PATH: join(dir.path, 'missing'), PATH: '', PLAYWRIGHT_BROWSERS_PATH: join(dir.path, 'none') };
    const lookup = findChromium(env);
    expect(lookup.found).toBe(false);
    expect(!lookup.found && lookup.looked).toEqual([
      `CHROME_PATH=${env.CHROME_PATH} (not an executable file)`,
      'chromium, chromium-browser, google-chrome, google-chrome-stable, chrome on PATH',
      `a Playwright install in ${env.PLAYWRIGHT_BROWSERS_PATH}`,
    ]);
    expect(() => requireChromium(env)).toThrow(/no Chromium found.*CHROME_PATH.*apt-get install chromium/);
  });
});
