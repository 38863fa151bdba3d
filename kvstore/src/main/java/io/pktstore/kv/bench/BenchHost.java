package io.pktstore.kv.bench;

import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.Commands;
import io.pktstore.nic.host.VethTopology;

import java.util.List;

/**
 * The one veth path every system is measured over: a veth pair whose server end stays in the root
 * namespace and whose client end sits in a fresh namespace at {@value #CLIENT_CIDR}, where the load
 * generator runs on the kernel's TCP. The server address {@value #SERVER_IP} is the stack's while a
 * stack-based system runs (no kernel address on the interface: the kernel must neither answer ARP nor
 * send RSTs for it) and the kernel's while a kernel-TCP system runs (the Java NIO server, Redis):
 * {@link #kernelOwnsServerAddress} adds and removes it. Same interface, same MAC, same address, same
 * client: only the server side changes. Names start with "pks"; close() removes them.
 */
public final class BenchHost implements AutoCloseable
{
    /** The client end's address (RFC 2544's benchmark range, inside a namespace of ours). */
    public static final String CLIENT_CIDR = "198.18.0.1/24";
    /** The server's address, whichever TCP owns it. */
    public static final String SERVER_IP = "198.18.0.2";
    /** The server's prefix. */
    public static final String SERVER_CIDR = SERVER_IP + "/24";

    private final VethTopology topology;
    private boolean kernelAddress;

    /** Creates the veth pair and client namespace. */
    public BenchHost()
    {
        topology = VethTopology.create(CLIENT_CIDR);
        try
        {
            // The client kernel would otherwise hand the stack 64 KB TSO/GSO super-frames; TX checksum
            // offload stays on (the veth default), so the stack completes checksums in software.
            topology.setPeerOffloads(true, false, false);
        }
        catch (final RuntimeException e)
        {
            topology.close();
            throw e;
        }
    }

    /** @return the server end's interface (the stack's AF_PACKET device, or the kernel's address). */
    public String serverInterface()
    {
        return topology.stackInterface();
    }

    /** @return the server end's MAC. */
    public String serverMac()
    {
        return topology.stackMac();
    }

    /** @return the client namespace's name. */
    public String clientNamespace()
    {
        return topology.peerNamespace().name();
    }

    /** Starts a process in the client namespace. */
    public Process startInClientNamespace(final List<String> command)
    {
        return topology.startInPeer(command);
    }

    /** Gives the server address to the kernel (true) or takes it back for the stack (false). */
    public void kernelOwnsServerAddress(final boolean owns)
    {
        if (owns == kernelAddress)
        {
            return;
        }
        if (owns)
        {
            Commands.check("ip", "addr", "add", SERVER_CIDR, "dev", serverInterface());
        }
        else
        {
            final CommandResult r = Commands.run(List.of("ip", "addr", "del", SERVER_CIDR, "dev", serverInterface()));
            if (r.exitCode() != 0)
            {
                throw new IllegalStateException("cannot take " + SERVER_CIDR + " off " + serverInterface() + ": " + r);
            }
        }
        kernelAddress = owns;
    }

    @Override
    public void close()
    {
        try
        {
            kernelOwnsServerAddress(false);
        }
        finally
        {
            topology.close();
        }
    }
}
