import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './testing.js';
import { blockedAncestor, findOnPath, findPostgres, findUserInPasswd, newestFirst } from './binaries.js';

const dir = tempDir('bourse-binaries-');
afterAll(() => dir.remove());

function executable(rel: string): string {
  const path = dir.file(rel, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('findOnPath', () => {
  it('returns the first executable match in PATH order and skips non-executables', () => {
    mkdirSync(join(dir.path, 'a'));
    mkdirSync(join(dir.path, 'b'));
    dir.file('a/nats-server', 'not executable');
    const wanted = executable('b/nats-server');
    const path = [join(dir.path, 'a'), '', join(dir.path, 'b')].join(':');
    expect(findOnPath('nats-server', path)).toBe(wanted);
    expect(findOnPath('redis-server', path)).toBeUndefined();
    expect(findOnPath('nats-server', '')).toBeUndefined();
  });
});

describe('findPostgres', () => {
  it('takes the newest /usr/lib/postgresql-style installation that has both initdb and postgres', () => {
    const lib = join(dir.path, 'pglib');
    for (const v of ['9.6', '15', '16']) mkdirSync(join(lib, v, 'bin'), { recursive: true });
    executable('pglib/9.6/bin/initdb');
    executable('pglib/9.6/bin/postgres');
    executable('pglib/15/bin/initdb');
    executable('pglib/15/bin/postgres');
    executable('pglib/16/bin/initdb'); // half an installation: no server binary
    expect(findPostgres('', lib)).toEqual({
      initdb: join(lib, '15', 'bin', 'initdb'),
      postgres: join(lib, '15', 'bin', 'postgres'),
    });
    expect(findPostgres('', join(dir.path, 'nowhere'))).toBeUndefined();
  });
});

describe('newestFirst', () => {
  it('sorts versions numerically', () => {
    expect(newestFirst(['9.6', '16', '10', '15'])).toEqual(['16', '15', '10', '9.6']);
  });
});

describe('findUserInPasswd', () => {
  const passwd =
    'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PostgreSQL administrator:/var/lib/postgresql:/bin/bash\n';
  it('finds a user with its uid and gid', () => {
    expect(findUserInPasswd(passwd, 'postgres')).toEqual({ name: 'postgres', uid: 101, gid: 104 });
    expect(findUserInPasswd(passwd, 'nobody')).toBeUndefined();
  });
});

describe('blockedAncestor', () => {
  it('names the first directory a user may not pass through', () => {
    chmodSync(dir.path, 0o755); // mkdtemp makes it 0700
    const closed = join(dir.path, 'closed');
    mkdirSync(join(closed, 'inner'), { recursive: true });
    chmodSync(closed, 0o700);
    const stranger = { name: 'stranger', uid: 54321, gid: 54321 };
    expect(blockedAncestor(join(closed, 'inner', 'data'), stranger)).toBe(closed);
    chmodSync(closed, 0o755);
    expect(blockedAncestor(join(closed, 'inner', 'data'), stranger)).toBeUndefined();
  });
});
