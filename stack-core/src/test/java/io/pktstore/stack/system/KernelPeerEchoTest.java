package io.pktstore.stack.system;

/** The kernel-peer tests ({@link KernelPeerEcho}) with the stack on AF_PACKET, TPACKET_V2 rings. */
class KernelPeerEchoTest extends KernelPeerEcho
{
    @Override
    KernelPeerHarness.Driver driver()
    {
        return KernelPeerHarness.Driver.AFPACKET_V2;
    }
}
