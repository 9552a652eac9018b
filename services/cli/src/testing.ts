// @bourse/cli/testing: what the whole-system tests in test/ share with the CLI's own replay tests
// (capture files written from frames, a namespace of the bus to replay into).
export {
  BTC,
  NATS_URL,
  frames,
  openNamespace,
  writeCapture,
  type FrameAt,
  type Namespace,
} from './replay/test-support.js';
