// The connection handshake: challenge-response over both nonces, the chain id and the protocol
// version, signed with the validator's (or follower's) key. All integers big-endian.
//
// Both sides send HELLO as soon as the connection opens:
//   offset 0  version  u8   PROTOCOL_VERSION
//   offset 1  chainId  u64
//   offset 9  role     u8   0 validator | 1 follower
//   offset 10 nonce    32 bytes, fresh per connection
// Once a side holds both nonces it sends AUTH:
//   offset 0  address    20 bytes
//   offset 20 signature  65 bytes over authDigest
//
//   authDigest = keccak256("khipu.p2p.handshake.v1" ‖ version u8 ‖ chainId u64 ‖ side u8
//                          ‖ initiatorNonce ‖ responderNonce ‖ address)
//
// `side` (0 initiator, 1 responder) stops a reflected AUTH from being replayed back to its signer;
// both nonces make every signature fresh, so a recorded AUTH is useless on another connection.

import { bytesToHex, hexToBytes } from '../consensus/hex.js';
import type { Address, Keccak256, SealVerifier, Signer } from '../consensus/types.js';
import { PeerError } from './errors.js';

export const PROTOCOL_VERSION = 1;
export const NONCE_BYTES = 32;
export const HELLO_BYTES = 1 + 8 + 1 + NONCE_BYTES;
export const AUTH_BYTES = 20 + 65;
const AUTH_DOMAIN = new TextEncoder().encode('khipu.p2p.handshake.v1');

export type PeerRole = 'validator' | 'follower';
export type HandshakeSide = 'initiator' | 'responder';

export interface Hello {
  version: number;
  chainId: bigint;
  role: PeerRole;
  nonce: Uint8Array;
}

/** Encodes a HELLO payload. */
export function encodeHello(h: Hello): Uint8Array {
  const out = new Uint8Array(HELLO_BYTES);
  const v = new DataView(out.buffer);
  v.setUint8(0, h.version);
  v.setBigUint64(1, h.chainId, false);
  v.setUint8(9, h.role === 'validator' ? 0 : 1);
  out.set(h.nonce, 10);
  return out;
}

/**
 * Decodes a HELLO payload and checks it against ours.
 * @throws PeerError MALFORMED_FRAME (size, role), WRONG_VERSION, WRONG_CHAIN.
 */
export function decodeHello(payload: Uint8Array, expected: { chainId: bigint }): Hello {
  if (payload.length !== HELLO_BYTES) {
    throw new PeerError('MALFORMED_FRAME', `HELLO of ${payload.length} bytes, expected ${HELLO_BYTES}`);
  }
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const version = v.getUint8(0);
  if (version !== PROTOCOL_VERSION) {
    throw new PeerError(
      'WRONG_VERSION',
      `peer speaks protocol version ${version}, we speak ${PROTOCOL_VERSION}`,
    );
  }
  const chainId = v.getBigUint64(1, false);
  if (chainId !== expected.chainId) {
    throw new PeerError('WRONG_CHAIN', `peer is on chain ${chainId}, we are on chain ${expected.chainId}`);
  }
  const roleId = v.getUint8(9);
  if (roleId > 1) throw new PeerError('MALFORMED_FRAME', `HELLO has unknown role ${roleId}`);
  return {
    version,
    chainId,
    role: roleId === 0 ? 'validator' : 'follower',
    nonce: payload.slice(10, 10 + NONCE_BYTES),
  };
}

export interface AuthDigestParameters {
  keccak256: Keccak256;
  chainId: bigint;
  side: HandshakeSide;
  initiatorNonce: Uint8Array;
  responderNonce: Uint8Array;
  address: Address;
}

/** The digest a side signs in its AUTH. */
export function authDigest(p: AuthDigestParameters): Uint8Array {
  const buf = new Uint8Array(AUTH_DOMAIN.length + 1 + 8 + 1 + 2 * NONCE_BYTES + 20);
  const v = new DataView(buf.buffer);
  let at = 0;
  buf.set(AUTH_DOMAIN, at);
  at += AUTH_DOMAIN.length;
  v.setUint8(at, PROTOCOL_VERSION);
  at += 1;
  v.setBigUint64(at, p.chainId, false);
  at += 8;
  v.setUint8(at, p.side === 'initiator' ? 0 : 1);
  at += 1;
  buf.set(p.initiatorNonce, at);
  at += NONCE_BYTES;
  buf.set(p.responderNonce, at);
  at += NONCE_BYTES;
  buf.set(hexToBytes(p.address, 20), at);
  return p.keccak256(buf);
}

/** Signs our AUTH payload. */
export function createAuth(signer: Signer, p: Omit<AuthDigestParameters, 'address'>): Uint8Array {
  const out = new Uint8Array(AUTH_BYTES);
  out.set(hexToBytes(signer.address, 20), 0);
  out.set(signer.sign(authDigest({ ...p, address: signer.address })), 20);
  return out;
}

export interface VerifyAuthParameters extends Omit<AuthDigestParameters, 'address'> {
  verifier: SealVerifier;
  payload: Uint8Array;
}

/**
 * Checks the peer's AUTH and returns its address.
 * @throws PeerError MALFORMED_FRAME (size) or BAD_SIGNATURE.
 */
export function verifyAuth({ verifier, payload, ...p }: VerifyAuthParameters): Address {
  if (payload.length !== AUTH_BYTES) {
    throw new PeerError('MALFORMED_FRAME', `AUTH of ${payload.length} bytes, expected ${AUTH_BYTES}`);
  }
  const address = bytesToHex(payload.subarray(0, 20));
  if (!verifier.verify(authDigest({ ...p, address }), payload.subarray(20), address)) {
    throw new PeerError('BAD_SIGNATURE', `handshake of ${address} is not signed by its key`);
  }
  return address;
}
