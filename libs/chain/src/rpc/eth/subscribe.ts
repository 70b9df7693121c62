import type { Hex } from '../backend.js';
import type { RpcContext } from '../context.js';
import { invalidParams, RpcError, RpcErrorCode } from '../errors.js';
import { formatHeader, formatLog } from '../format.js';
import { matchesLog, parseLogFilter } from '../logs.js';
import { expectArity } from '../params.js';

/** eth_subscribe(kind, filter?) over WebSocket: `newHeads`, `logs` (with an address/topics
 *  filter), `newPendingTransactions`. Over HTTP: -32601 "notifications not supported". */
export function subscribe(params: unknown[], context: RpcContext): Hex {
  const connection = context.connection;
  if (connection === undefined)
    throw new RpcError(RpcErrorCode.methodNotFound, 'notifications not supported');
  expectArity(params, 1, 2);
  const kind = params[0];
  const { events, txpool } = context.backend;
  switch (kind) {
    case 'newHeads': {
      if (params[1] !== undefined && params[1] !== null)
        throw invalidParams('invalid argument 1: newHeads takes no filter');
      let id: Hex | undefined;
      const off = events.subscribeNewBlocks((event) => {
        if (id !== undefined) connection.notify(id, formatHeader(event.header));
      });
      id = connection.addSubscription(off);
      return id;
    }
    case 'logs': {
      const criteria = parseLogFilter(params[1], '1');
      if (
        criteria.fromBlock !== undefined ||
        criteria.toBlock !== undefined ||
        criteria.blockHash !== undefined
      ) {
        throw invalidParams('invalid argument 1: a logs subscription takes no block range');
      }
      let id: Hex | undefined;
      const off = events.subscribeNewBlocks((event) => {
        if (id === undefined) return;
        for (const log of event.logs) {
          if (matchesLog(log, criteria.addresses, criteria.topics)) connection.notify(id, formatLog(log));
        }
      });
      id = connection.addSubscription(off);
      return id;
    }
    case 'newPendingTransactions': {
      if (txpool.subscribePending === undefined)
        throw invalidParams('no "newPendingTransactions" subscription in eth namespace');
      let id: Hex | undefined;
      const off = txpool.subscribePending((hash) => {
        if (id !== undefined) connection.notify(id, hash);
      });
      id = connection.addSubscription(off);
      return id;
    }
    default:
      throw invalidParams(`no "${String(kind).slice(0, 32)}" subscription in eth namespace`);
  }
}
