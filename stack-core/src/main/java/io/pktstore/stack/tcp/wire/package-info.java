/**
 * TCP on the wire: the {@link io.pktstore.stack.tcp.wire.TcpHeader} flyweight (checked wrap for
 * untrusted input, unchecked for output) and the {@link io.pktstore.stack.tcp.wire.TcpOptions}
 * parser/writer (MSS, window scale, SACK-permitted, SACK, timestamps). Byte layouts are drawn in
 * each class; parse failures are result codes the caller counts, never exceptions.
 */
package io.pktstore.stack.tcp.wire;
