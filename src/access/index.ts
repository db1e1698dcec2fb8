export { KeyRing, sourceIdOf, type KeyKind, type KnownKey } from './key-ring.js';
