export { latentTraversal, latentTraversalGif, type TraversalOptions } from './traversal.js';
