// The flags of `bourse book-transfer`, checked as commander parses them so that a bad value is
// refused as a usage error naming its flag (`option '--delta <amount>' argument '1e3' is invalid`).
// Kept apart from transfer.ts so parsing flags loads no bus or contract. The order manager checks
// the request against its contract again.
import { InvalidArgumentError } from 'commander';

const ASSET = /^[A-Z0-9]{1,20}$/;
// A plain signed decimal: no exponent, no leading zeros, no float notation; `+` allowed and dropped.
const SIGNED_DECIMAL = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** `--asset`: an asset code such as USDT (lower case accepted and raised). */
export function parseAssetFlag(value: string): string {
  const asset = value.trim().toUpperCase();
  if (!ASSET.test(asset))
    throw new InvalidArgumentError(`expected an asset code of 1-20 letters or digits such as USDT, got "${value}".`);
  return asset;
}

/** `--delta`: a signed decimal amount, positive in (a deposit), negative out (a withdrawal); never zero. */
export function parseDeltaFlag(value: string): string {
  const text = value.trim();
  if (!SIGNED_DECIMAL.test(text))
    throw new InvalidArgumentError(
      `expected a signed decimal such as 250 or -12.5 (no exponent, no leading zeros), got "${value}".`,
    );
  if (!/[1-9]/.test(text)) throw new InvalidArgumentError(`must not be zero, got "${value}".`);
  return text.startsWith('+') ? text.slice(1) : text;
}
