// Reading a service's variables with its schema: only the schema's variables are picked, an empty
// one counts as unset (shells and manifests often write `FOO=`), and a failure names every wrong
// variable at once.

import type { z } from 'zod';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The variables `schema` knows that are set to something other than blanks. */
export function presentVariables(schema: z.ZodObject, env: Environment): Record<string, string> {
  return Object.fromEntries(
    Object.keys(schema.shape).flatMap((k) => {
      const v = env[k];
      return v === undefined || v.trim() === '' ? [] : [[k, v]];
    }),
  );
}

/**
 * Parses `env` with `schema`. On failure calls `fail` with the wrong variables' names joined by
 * "," and one "NAME problem" per issue joined by "; ", and throws what it returns.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Environment,
  fail: (variables: string, detail: string, cause: z.ZodError) => Error,
): z.output<S> {
  const parsed = schema.safeParse(presentVariables(schema, env));
  if (parsed.success) return parsed.data;
  const nameOf = (issue: z.core.$ZodIssue): string => String(issue.path[0] ?? 'environment');
  const names = [...new Set(parsed.error.issues.map(nameOf))];
  const detail = parsed.error.issues.map((i) => `${nameOf(i)} ${i.message}`).join('; ');
  throw fail(names.join(','), detail, parsed.error);
}
