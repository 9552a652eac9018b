import fc from 'fast-check';
import { hostileString } from './hostile.js';

// Configuration from the environment, files and flags: hostile values for known names, and the
// check every loader must pass (a typed error naming the variable, never its secret value).

/** An environment where a few of `names` carry hostile values (and sometimes a stray unknown one). */
export function hostileEnv(names: readonly string[]): fc.Arbitrary<Record<string, string>> {
  return fc
    .tuple(
      fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: Math.min(4, names.length) }),
      fc.array(hostileString, { minLength: 4, maxLength: 4 }),
    )
    .map(([picked, values]) => Object.fromEntries(picked.map((name, i) => [name, values[i] ?? ''])));
}

const SECRET_NAME = /SECRET(?!_FILE)|PASSWORD|TOKEN|PRIVATE|_KEY$/;

/**
 * Runs `load` on `env`: it either returns or throws an error with a `code` whose message names
 * one of the variables that were set, and never repeats a secret's value.
 */
export function expectConfigRefusal(load: () => unknown, env: Readonly<Record<string, string>>): unknown {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`config loader threw a non-error: ${String(err)}`);
    if (err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError || !('code' in err))
      throw new Error(`config loader crashed instead of refusing: ${err.name}: ${err.message}`, { cause: err });
    const names = Object.keys(env);
    if (!names.some((n) => err.message.includes(n)))
      throw new Error(`config error names none of ${names.join(', ')}: ${err.message}`, { cause: err });
    for (const [name, value] of Object.entries(env))
      if (
        SECRET_NAME.test(name) &&
        value.length >= 8 &&
        err.message.includes(value) &&
        // The same text given to a variable that may be echoed (a URL, a number) proves nothing.
        Object.entries(env).every(([other, v]) => other === name || !v.includes(value))
      )
        throw new Error(`config error repeats the value of ${name}`, { cause: err });
    return undefined;
  }
}
