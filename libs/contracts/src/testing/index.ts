export * from './hostile.js';
export * from './samples.js';
export * from './config.js';
