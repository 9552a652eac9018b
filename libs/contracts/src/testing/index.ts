export * from './hostile.js';
export * from './samples.js';
