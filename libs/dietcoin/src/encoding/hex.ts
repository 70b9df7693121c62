// Hex for messages and keys.

export { shortHex as shortHexOf } from '../errors.js';
export { bytesToHex, hexToBytes } from './bytes.js';
