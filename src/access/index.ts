export {
  KeyRing,
  normalizeScopes,
  sourceIdOf,
  KEY_PREFIX_LENGTH,
  type KeyCheck,
  type KeyEntry,
  type KeyError,
  type KeyKind,
  type KeyScope,
  type KnownKey,
} from './key-ring.js';
