// The wall clock a service gives its cores (the `Clock` type itself is @bourse/domain's).

import type { Clock } from '@bourse/domain';

export const systemClock: Clock = { now: () => Date.now() };
