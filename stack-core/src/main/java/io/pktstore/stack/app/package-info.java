/**
 * Applications on the stack used by tests and as the networking-only baseline of the benchmarks: the
 * discard server (RFC 863) and the zero-copy echo server (RFC 862), both plain
 * {@link io.pktstore.stack.tcp.TcpHandler}s started with their static {@code listen} methods on the
 * stack's thread.
 */
package io.pktstore.stack.app;
