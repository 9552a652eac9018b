// The capture format lives with its reader in `@bourse/market-feed` (src/capture/recording-format.ts);
// main.ts names `captureHeaders` from here. Import it from `@bourse/market-feed` in new code.
export { captureHeaders } from '@bourse/market-feed';
