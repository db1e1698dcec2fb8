export { IdentityGraph, type Resolution, type ResolveContext } from './graph.js';
export { BlockList, emailIdentityValue, keyOf, looksLikeEmail, KIND_PRIORITY, type Identifier } from './identifiers.js';
