// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title Outbox: the system contract that sends messages and KIP from this chain to another.
/// @notice Deployed in genesis at 0x0000000000000000000000000000000000001001.
///
/// Every message is emitted as a `MessageDispatched` log carrying
///   message = abi.encode(uint8 version, uint64 nonce, uint64 sourceChainId, address sender,
///                        uint64 destinationChainId, address recipient, uint8 kind, uint256 amount, bytes body)
///   id      = keccak256(message)
/// The node gathers these logs into the block's message shards and messageRoot.
///
/// Nonces are per sender (a mapping, never a global counter): two senders dispatching in the same
/// block touch disjoint storage slots and never conflict in parallel execution.
///
/// Burn: the KIP sent with `transferKip` stays in this contract's balance forever. The contract has
/// no function that sends value out (no withdraw, no selfdestruct, no delegatecall), so its balance
/// is exactly the KIP burned since genesis; the node's supply accounting subtracts it from the native
/// supply. The balance credit is a commutative increment: libs/execution merges it as a delta, not
/// as a read-write conflict.
contract Outbox {
    uint8 public constant VERSION = 1;
    uint8 public constant KIND_DATA = 0;
    uint8 public constant KIND_KIP_TRANSFER = 1;
    /// @notice Largest body accepted: libs/dietcoin's message decoder refuses larger ones.
    uint256 public constant MAX_BODY_BYTES = 64 * 1024;

    /// @notice Next nonce of each sender (the nonce its next message will carry).
    mapping(address => uint64) public nonces;

    /// @notice One message sent. `message` is the abi encoding above; `id` its keccak256.
    event MessageDispatched(
        bytes32 indexed id,
        uint64 indexed destinationChainId,
        address indexed sender,
        uint64 nonce,
        bytes message
    );

    /// @notice Sends `body` to `recipient` on `destinationChainId`. Carries no value.
    function dispatch(uint64 destinationChainId, address recipient, bytes calldata body)
        external
        returns (bytes32 id)
    {
        require(body.length <= MAX_BODY_BYTES, "Outbox: body larger than 64 KiB");
        return _send(destinationChainId, recipient, KIND_DATA, 0, body);
    }

    /// @notice Sends the attached KIP to `recipient` on `destinationChainId`; the value is burned here.
    function transferKip(uint64 destinationChainId, address recipient) external payable returns (bytes32 id) {
        require(msg.value > 0, "Outbox: no value to transfer");
        return _send(destinationChainId, recipient, KIND_KIP_TRANSFER, msg.value, "");
    }

    function _send(uint64 destinationChainId, address recipient, uint8 kind, uint256 amount, bytes memory body)
        private
        returns (bytes32 id)
    {
        require(destinationChainId != 0, "Outbox: destination chain id is zero");
        require(destinationChainId != block.chainid, "Outbox: destination is this chain");
        require(recipient != address(0), "Outbox: recipient is the zero address");
        uint64 nonce = nonces[msg.sender];
        nonces[msg.sender] = nonce + 1;
        bytes memory message = abi.encode(
            VERSION,
            nonce,
            uint64(block.chainid),
            msg.sender,
            destinationChainId,
            recipient,
            kind,
            amount,
            body
        );
        id = keccak256(message);
        emit MessageDispatched(id, destinationChainId, msg.sender, nonce, message);
    }

    /// @dev Plain transfers would be burns without a message: refuse them.
    receive() external payable {
        revert("Outbox: use transferKip");
    }
}
