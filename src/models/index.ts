export * from './layers.js';
export * from './gradients.js';
