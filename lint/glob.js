// @ts-check
// A small glob matcher for the package map, so the rule needs no dependency of its own:
// `**` matches any number of path segments (including none), `*` anything but `/`, `{a,b}` either.

/** @type {Map<string, RegExp>} */
const compiled = new Map();

/** @param {string} glob */
function toRegExp(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more whole segments; a trailing `**` matches the rest.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      out += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((s) => s.replace(/[.+?^$()|[\]\\]/g, '\\$&'))
        .join('|')})`;
      i = end;
    } else {
      out += c.replace(/[.+?^$()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}

/**
 * Whether a repository-relative path matches any of the globs.
 * @param {string} path
 * @param {readonly string[]} globs
 */
export function matchesAny(path, globs) {
  return globs.some((glob) => {
    let re = compiled.get(glob);
    if (!re) {
      re = toRegExp(glob);
      compiled.set(glob, re);
    }
    return re.test(path);
  });
}
