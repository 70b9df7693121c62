// SPDX-License-Identifier: Apache-2.0
// Contracts for the differential tests and the benchmark of @khipu/execution. Compiled by
// scripts/compile-contracts.mjs (solc 0.8.37) into src/testing/contracts.ts.
pragma solidity 0.8.37;

/// A minimal ERC-20: balances in a mapping, Transfer events, reverts on a short balance.
contract Token {
    mapping(address => uint256) public balanceOf;
    event Transfer(address indexed from, address indexed to, uint256 value);

    function mint(address to, uint256 value) external {
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        uint256 b = balanceOf[msg.sender];
        require(b >= value, "balance");
        balanceOf[msg.sender] = b - value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}

/// An AMM-like pool: every swap reads and writes both reserves.
contract Pool {
    uint256 public reserveA = 1e24;
    uint256 public reserveB = 1e24;
    event Swap(address indexed who, uint256 amountIn, uint256 amountOut);

    function swap(uint256 amountIn, bool aToB) external returns (uint256 out) {
        if (aToB) {
            out = (reserveB * amountIn) / (reserveA + amountIn);
            reserveA += amountIn;
            reserveB -= out;
        } else {
            out = (reserveA * amountIn) / (reserveB + amountIn);
            reserveB += amountIn;
            reserveA -= out;
        }
        emit Swap(msg.sender, amountIn, out);
    }
}

/// Created by the factory; can destroy itself (EIP-6780: only in its creation transaction).
contract Child {
    uint256 public value;

    constructor(uint256 v) payable {
        value = v;
    }

    function kill(address payable to) external {
        selfdestruct(to);
    }
}

contract Factory {
    event Created(address child);

    function create(uint256 v) external payable returns (address c) {
        c = address(new Child{value: msg.value}(v));
        emit Created(c);
    }

    function create2(bytes32 salt, uint256 v) external payable returns (address c) {
        c = address(new Child{salt: salt, value: msg.value}(v));
        emit Created(c);
    }

    /// Creates a child and destroys it in the same transaction, sending its balance to `to`.
    function createAndKill(address payable to) external payable {
        Child c = new Child{value: msg.value}(1);
        c.kill(to);
    }
}

/// Reads balances, calls other contracts, reverts and burns gas on demand.
contract Probe {
    uint256 public seen;
    uint256 public counter;
    mapping(uint256 => uint256) public slots;

    function look(address who) external {
        seen = who.balance;
    }

    function bump() external {
        counter += 1;
    }

    function write(uint256 k, uint256 v) external {
        slots[k] = v;
    }

    function fail() external pure {
        revert("nope");
    }

    function spin(uint256 n) external {
        uint256 x = seen;
        for (uint256 i = 0; i < n; i++) {
            x = uint256(keccak256(abi.encode(x, i)));
        }
        seen = x;
    }

    function relay(address token, address to, uint256 v) external {
        Token(token).transfer(to, v);
    }

    function callBump(address payable other) external {
        Probe(other).bump();
    }

    function pay(address payable to) external payable {
        to.transfer(msg.value);
    }

    /// Sends `v` it may not have: the inner call fails, the transaction goes on.
    function give(address payable to, uint256 v) external returns (bool ok) {
        (ok, ) = to.call{value: v}("");
        counter += ok ? 1 : 2;
    }

    receive() external payable {}
}
