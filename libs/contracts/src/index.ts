export {
  createSubjects,
  subjects,
  subjectToken,
  tradingStateKey,
  InvalidSubjectTokenError,
  type Subjects,
  type StreamNames,
  type MarketDataKind,
  type TradingStateScope,
} from './subjects.js';
