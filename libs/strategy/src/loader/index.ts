// The strategy loader: built-ins and users' own strategy modules, found, compiled and checked the same
// way for the strategy runner, `bourse backtest`, sweeps and replay. A subpath of its own
// (`@bourse/strategy/loader`) because it reads files and compiles code: the SDK that a strategy imports
// (`@bourse/strategy`) stays free of I/O.
export { loadStrategy, type LoadedStrategy, type CheckOptions } from './load-strategy.js';
export {
  loadStrategies,
  type LoadedStrategies,
  type RefusedStrategy,
  type LoadStrategiesFileOptions,
} from './load-strategies.js';
export { parseStrategyRef, describeRef, isPathSpecifier, type StrategyRef } from './ref.js';
export { forbiddenImport } from './bundle.js';
export { moduleCodeHash, builtinCodeHash, userFiles, type CodeHash } from './code-hash.js';
export {
  StrategyLoadError,
  isStrategyLoadError,
  StrategyNotFoundError,
  StrategyModuleError,
  StrategyExportError,
  ForbiddenStrategyImportError,
  StrategyCheckError,
  type StrategyLoadErrorInit,
} from './errors.js';
