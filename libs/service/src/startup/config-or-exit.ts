// Step 1 of every start: read the configuration, or stop with exit code 2 and a message that names
// the wrong variable. No logger exists yet, so the message goes to stderr as one line.

import { isServiceConfigError } from '../config/config-error.js';

/** Exit code of a process that refused its configuration (1 is kept for failures after that). */
export const CONFIG_ERROR_EXIT_CODE = 2;

/**
 * Returns `load()`; when it throws a configuration error (`isConfigError`, ServiceConfigError by
 * default) prints `<service>: <message>` and exits 2. Other errors are rethrown.
 */
export function configOrExit<C>(
  service: string,
  load: () => C,
  isConfigError: (err: unknown) => boolean = isServiceConfigError,
): C {
  try {
    return load();
  } catch (err) {
    if (isConfigError(err)) {
      console.error(`${service}: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw err;
  }
}
