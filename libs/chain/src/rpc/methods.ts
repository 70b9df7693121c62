// The method table: every JSON-RPC method the node answers.

import type { RpcMethod } from './context.js';
import { accounts } from './eth/accounts.js';
import { blockNumber } from './eth/blockNumber.js';
import { call } from './eth/call.js';
import { chainId } from './eth/chainId.js';
import { estimateGas } from './eth/estimateGas.js';
import { feeHistory } from './eth/feeHistory.js';
import { gasPrice } from './eth/gasPrice.js';
import { getBalance } from './eth/getBalance.js';
import { getBlockByHash } from './eth/getBlockByHash.js';
import { getBlockByNumber } from './eth/getBlockByNumber.js';
import { getBlockReceipts } from './eth/getBlockReceipts.js';
import { getBlockTransactionCountByHash } from './eth/getBlockTransactionCountByHash.js';
import { getBlockTransactionCountByNumber } from './eth/getBlockTransactionCountByNumber.js';
import { getCode } from './eth/getCode.js';
import { getFilterChanges } from './eth/getFilterChanges.js';
import { getFilterLogs } from './eth/getFilterLogs.js';
import { getLogs } from './eth/getLogs.js';
import { getProof } from './eth/getProof.js';
import { getStorageAt } from './eth/getStorageAt.js';
import { getTransactionByBlockHashAndIndex } from './eth/getTransactionByBlockHashAndIndex.js';
import { getTransactionByBlockNumberAndIndex } from './eth/getTransactionByBlockNumberAndIndex.js';
import { getTransactionByHash } from './eth/getTransactionByHash.js';
import { getTransactionCount } from './eth/getTransactionCount.js';
import { getTransactionReceipt } from './eth/getTransactionReceipt.js';
import { maxPriorityFeePerGas } from './eth/maxPriorityFeePerGas.js';
import { newBlockFilter } from './eth/newBlockFilter.js';
import { newFilter } from './eth/newFilter.js';
import { newPendingTransactionFilter } from './eth/newPendingTransactionFilter.js';
import { sendRawTransaction } from './eth/sendRawTransaction.js';
import { subscribe } from './eth/subscribe.js';
import { syncing } from './eth/syncing.js';
import { uninstallFilter } from './eth/uninstallFilter.js';
import { unsubscribe } from './eth/unsubscribe.js';
import { getAccountShardProof } from './khipu/getAccountShardProof.js';
import { getBlockStats } from './khipu/getBlockStats.js';
import { getEvidence } from './khipu/getEvidence.js';
import { getMessageShard } from './khipu/getMessageShard.js';
import { getSealedHeader } from './khipu/getSealedHeader.js';
import { getSupply } from './khipu/getSupply.js';
import { getValidators } from './khipu/getValidators.js';
import { listening } from './net/listening.js';
import { peerCount } from './net/peerCount.js';
import { version } from './net/version.js';
import { status as txpoolStatus } from './txpool/status.js';
import { clientVersion } from './web3/clientVersion.js';
import { sha3 } from './web3/sha3.js';

/** Every method by name. Its keys are also the bounded label set of the RPC metrics. */
export const RPC_METHODS: Readonly<Record<string, RpcMethod>> = Object.freeze({
  web3_clientVersion: clientVersion,
  web3_sha3: sha3,
  net_version: version,
  net_listening: listening,
  net_peerCount: peerCount,
  eth_chainId: chainId,
  eth_syncing: syncing,
  eth_accounts: accounts,
  eth_blockNumber: blockNumber,
  eth_getBalance: getBalance,
  eth_getTransactionCount: getTransactionCount,
  eth_getCode: getCode,
  eth_getStorageAt: getStorageAt,
  eth_call: call,
  eth_estimateGas: estimateGas,
  eth_gasPrice: gasPrice,
  eth_maxPriorityFeePerGas: maxPriorityFeePerGas,
  eth_feeHistory: feeHistory,
  eth_sendRawTransaction: sendRawTransaction,
  eth_getTransactionByHash: getTransactionByHash,
  eth_getTransactionByBlockNumberAndIndex: getTransactionByBlockNumberAndIndex,
  eth_getTransactionByBlockHashAndIndex: getTransactionByBlockHashAndIndex,
  eth_getTransactionReceipt: getTransactionReceipt,
  eth_getBlockReceipts: getBlockReceipts,
  eth_getBlockByNumber: getBlockByNumber,
  eth_getBlockByHash: getBlockByHash,
  eth_getBlockTransactionCountByNumber: getBlockTransactionCountByNumber,
  eth_getBlockTransactionCountByHash: getBlockTransactionCountByHash,
  eth_getLogs: getLogs,
  eth_newFilter: newFilter,
  eth_newBlockFilter: newBlockFilter,
  eth_newPendingTransactionFilter: newPendingTransactionFilter,
  eth_getFilterChanges: getFilterChanges,
  eth_getFilterLogs: getFilterLogs,
  eth_uninstallFilter: uninstallFilter,
  eth_getProof: getProof,
  eth_subscribe: subscribe,
  eth_unsubscribe: unsubscribe,
  txpool_status: txpoolStatus,
  khipu_getSealedHeader: getSealedHeader,
  khipu_getMessageShard: getMessageShard,
  khipu_getAccountShardProof: getAccountShardProof,
  khipu_getBlockStats: getBlockStats,
  khipu_getValidators: getValidators,
  khipu_getSupply: getSupply,
  khipu_getEvidence: getEvidence,
});
