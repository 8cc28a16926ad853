export * from './layers.js';
