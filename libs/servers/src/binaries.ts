// Finding server binaries on this machine: on PATH, and for PostgreSQL also in the Debian/Ubuntu
// layout (/usr/lib/postgresql/<major>/bin), which is not on PATH by default.
import { accessSync, constants, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** First executable named `name` in the PATH-style list, or undefined. */
export function findOnPath(
  name: string,
  searchPath: string,
  executable: (p: string) => boolean = isExecutable,
): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** Numeric sort, newest first: "16" before "9.6". */
export function newestFirst(versions: readonly string[]): string[] {
  const key = (v: string) => v.split('.').map((n) => Number(n) || 0);
  return [...versions].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) {
      const d = (kb[i] ?? 0) - (ka[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
}

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** initdb and the postgres server from one installation (PATH first, then /usr/lib/postgresql/<newest>/bin). */
export function findPostgres(searchPath: string, libRoot = '/usr/lib/postgresql'): PostgresBinaries | undefined {
  const dirs: string[] = [];
  const onPath = findOnPath('initdb', searchPath);
  // initdb on PATH is often a symlink; the server binary sits next to its target.
  if (onPath !== undefined) dirs.push(dirname(realpathSync(onPath)));
  try {
    for (const version of newestFirst(readdirSync(libRoot))) dirs.push(join(libRoot, version, 'bin'));
  } catch {
    // No Debian-style installation; PATH was the only place to look.
  }
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) return { initdb, postgres };
  }
  return undefined;
}

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Parses /etc/passwd content; returns the named user. */
export function findUserInPasswd(passwd: string, name: string): OsUser | undefined {
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined && /^\d+$/.test(uid) && /^\d+$/.test(gid)) {
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  return undefined;
}

export function findOsUser(name: string): OsUser | undefined {
  try {
    return findUserInPasswd(readFileSync('/etc/passwd', 'utf8'), name);
  } catch {
    return undefined;
  }
}

/** The first directory on the way to `path` that `user` may not pass through, or undefined. */
export function blockedAncestor(path: string, user: OsUser): string | undefined {
  let dir = dirname(path);
  const chain: string[] = [];
  for (;;) {
    chain.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain) {
    let st;
    try {
      st = statSync(d);
    } catch {
      return undefined; // not created yet: it will be created by us, traversable
    }
    const mode = st.mode;
    const ok =
      (st.uid === user.uid && (mode & 0o100) !== 0) ||
      (st.gid === user.gid && (mode & 0o010) !== 0) ||
      (mode & 0o001) !== 0;
    if (!ok) return d;
  }
  return undefined;
}
