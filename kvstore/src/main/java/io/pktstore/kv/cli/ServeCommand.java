package io.pktstore.kv.cli;

import io.pktstore.kv.format.Engine;
import io.pktstore.kv.server.ServerConfig;
import io.pktstore.kv.store.KvStoreConfig;
import io.pktstore.kv.store.RecoveryReport;
import io.pktstore.nic.FrameDevice;
import io.pktstore.nic.afpacket.AfPacketConfig;
import io.pktstore.nic.afpacket.AfPacketDevice;
import io.pktstore.nic.xdp.AfXdpDevice;
import io.pktstore.nic.xdp.XdpConfig;
import io.pktstore.nic.xdp.XdpMode;
import io.pktstore.stack.record.ArenaFrameBuffers;
import io.pktstore.nic.afpacket.TpacketVersion;
import io.pktstore.nic.host.CommandResult;
import io.pktstore.nic.host.Commands;
import io.pktstore.nic.host.VethTopology;
import io.pktstore.nic.pcap.PcapRecordingDevice;
import io.pktstore.nic.pcap.PcapReplayDevice;
import io.pktstore.stack.NetworkStack;
import io.pktstore.stack.StackConfig;
import io.pktstore.stack.wire.MacAddress;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import io.pktstore.stack.tcp.TcpConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the storage node. By default it builds its own test host: a veth pair whose stack end stays in
 * the root namespace without an IP address (the stack owns 198.18.0.2; the kernel must neither answer
 * ARP nor send RSTs for it) and whose peer end sits in a fresh namespace at 198.18.0.1, where the
 * kernel's TCP is a real client (redis-cli, curl). The namespace and veth pair are removed on exit,
 * also on Ctrl-C; the arena stays, so the next start recovers the data.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run the storage node (default: on a veth pair and namespace it creates, arena in /dev/shm).")
public final class ServeCommand implements Callable<Integer>
{
    /** The stack's and the peer's default addresses: the benchmark range RFC 2544 sets aside. */
    static final String DEFAULT_STACK_CIDR = "198.18.0.2/24";
    static final String DEFAULT_PEER_CIDR = "198.18.0.1/24";

    /** The most shards one node runs. */
    static final int MAX_SHARDS = 64;

    /** How the node reads and writes frames. */
    enum Driver
    {
        /** AF_PACKET TPACKET_V2: a ring slot per frame, the lowest latency (default). */
        AFPACKET_V2,
        /** AF_PACKET TPACKET_V3: block-based RX ring, throughput over latency. */
        AFPACKET_V3,
        /**
         * AF_XDP with the arena's buffer pool as UMEM: the kernel (copy mode) or the NIC (zero-copy mode)
         * writes each frame straight into an arena buffer; needs an arena the kernel can pin (tmpfs such
         * as /dev/shm, or device-DAX). See docs/af-xdp.md.
         */
        AF_XDP,
        /**
         * Frames from a capture file (--replay) on the capture's clock, replies discarded (record them
         * with --record); the recorded node's own frames in it are skipped.
         */
        PCAP
    }

    @Spec
    private CommandSpec spec;

    @Option(names = "--arena", defaultValue = "/dev/shm/pktstore.arena",
        description = "Arena file: created if missing, recovered if it holds a store, refused otherwise (default ${DEFAULT-VALUE}).")
    private Path arenaPath;

    @Option(names = "--arena-size", defaultValue = "256m", description = "Size of a new arena file, e.g. 256m, 8g (default ${DEFAULT-VALUE}).")
    private String arenaSize;

    @Option(names = "--format", description = "Reformat an existing arena file (its size is kept): EVERYTHING IN IT IS LOST.")
    private boolean format;

    @Option(names = "--engine", description = "Index of a new store: skiplist or rbtree (default: skiplist; an existing store keeps its engine, asking for another is refused).")
    private String engineName;

    @Option(names = "--records-per-buffer", defaultValue = "8",
        description = "Packet records per payload buffer in a new arena, 1..64 (default ${DEFAULT-VALUE}).")
    private int recordsPerBuffer;

    @Option(names = "--interface", description = "Serve on this existing interface instead of creating a veth pair "
        + "(keep the stack's address off the kernel's interface). Needs --address.")
    private String interfaceName;

    @Option(names = "--address", description = "The stack's IPv4 address/prefix (default " + DEFAULT_STACK_CIDR
        + " on the veth pair it creates).")
    private String address;

    @Option(names = "--gateway", description = "Default gateway (IPv4) for peers outside the subnet.")
    private String gateway;

    @Option(names = "--resp-port", defaultValue = "6379", description = "RESP (Redis protocol) port, 0 = off (default ${DEFAULT-VALUE}).")
    private int respPort;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP/1.1 port, 0 = off (default ${DEFAULT-VALUE}).")
    private int httpPort;

    @Option(names = "--requirepass", description = "Require this password (RESP AUTH; HTTP Authorization: Bearer).")
    private String requirePass;

    @Option(names = "--requirepass-file", description = "Read the password from this file (first line).")
    private Path requirePassFile;

    @Option(names = "--max-value-size", defaultValue = "64m", description = "Largest value accepted (default ${DEFAULT-VALUE}).")
    private String maxValueSize;

    @Option(names = "--shards", defaultValue = "1", description = "Shards: independent stacks, each with its own thread, "
        + "socket, address (--address + i), MAC, arena file (--arena.i) and store; a number or auto (one per core). "
        + "Default ${DEFAULT-VALUE}: the arena files' layout must not change with the machine's core count.")
    private String shards;

    @Option(names = "--mac", description = "The (first) shard's MAC: default the interface's; auto = 02:70:6b + the "
        + "address's low 24 bits (several nodes on one interface each need their own).")
    private String mac;

    @Option(names = "--cluster-slots", description = "Serve as a Redis Cluster node owning these hash slots, e.g. 0-5460 "
        + "(the slot map is static: give every node the same map).")
    private String clusterSlots;

    @Option(names = "--cluster-peer", description = "Another cluster node and its slots, ip:port=slots, e.g. "
        + "198.18.0.3:6379=5461-10922 (repeat for each).")
    private List<String> clusterPeers = new java.util.ArrayList<>();

    @Option(names = "--driver", defaultValue = "AFPACKET_V2", description = "Frame I/O: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    private Driver driver;

    @Option(names = "--xdp-mode", defaultValue = "COPY",
        description = "With --driver AF_XDP: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}; ZERO_COPY needs a NIC driver with AF_XDP zero-copy, veth has none).")
    private XdpMode xdpMode;

    @Option(names = "--replay", description = "With --driver PCAP: the capture to replay as received frames.")
    private Path replay;

    @Option(names = "--record", description = "Record every frame received and sent to this nanosecond pcap file, "
        + "stamped with the stack's clock of the duty cycle that handled it (a recording replays exactly with --driver PCAP).")
    private Path record;

    @Option(names = "--tcp-rto-min", defaultValue = "200ms", description = "TCP's minimum retransmission timeout, "
        + "e.g. 200ms (default ${DEFAULT-VALUE}, Linux's; RFC 6298 asks 1s) or 1s; 10ms..60s.")
    private String rtoMin;

    @Option(names = "--tcp-seed", description = "Fixed seed for TCP's ISNs, SYN cookies and timestamp offsets, and ISNs "
        + "without the clock: for recordings meant to be replayed or injected (tcpreplay), never in production "
        + "(default: secret and random).")
    private Long tcpSeed;

    @Option(names = "--idle", defaultValue = "DEVICE_WAIT",
        description = "Idle strategy: DEVICE_WAIT (default: sleeps in the kernel until a frame arrives or a TCP timer is due), "
            + "BUSY_SPIN (one core at 100%%, for a dedicated core) or BACKOFF (spins, yields, then parks up to 1 ms).")
    private StackConfig.IdleMode idleMode;

    @Option(names = "--duration", defaultValue = "0",
        description = "Stop by itself after this many seconds (default 0: until Ctrl-C or SIGTERM; with --driver PCAP: when the capture is done).")
    private long durationSeconds;

    @Option(names = "--self-check", description = "On the veth pair it creates: after start, have real clients in the "
        + "peer namespace (redis-cli, the kernel's TCP) store and read back values and use echo and discard, verify, and exit.")
    private boolean selfCheck;

    @Override
    public Integer call() throws Exception
    {
        final Options options = validate();
        // Ctrl-C / SIGTERM: the hook asks the node to stop, then holds the JVM until the arena is
        // closed cleanly and the namespace and veth pair are removed.
        final CountDownLatch stop = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            stop.countDown();
            awaitQuietly(stopped, 30);
        }, "pktstore-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try
        {
            return serve(options, stop);
        }
        finally
        {
            stopped.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook is running and returns now that 'stopped' is counted down
            }
        }
    }

    /** Checked settings. */
    private record Options(long arenaBytes, Engine engine, KvStoreConfig store, ServerConfig server, String cidr,
                           int gateway, int shards)
    {
    }

    private int serve(final Options options, final CountDownLatch stop) throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        boolean opened = false;
        final boolean ownHost = interfaceName == null && driver != Driver.PCAP;
        // The plan's addresses and arena files are known before the host exists; its MACs after.
        final List<ShardPlan.Shard> files = plan(options, PLACEHOLDER_MAC);
        try (NodeShards shards = NodeShards.open(files, shard -> StoreFile.open(shard.arena(), options.arenaBytes(),
                recordsPerBuffer, options.engine(), format, options.store(), shard.identity()));
             VethTopology topology = ownHost ? VethTopology.create(DEFAULT_PEER_CIDR) : null)
        {
            opened = true;
            for (final ShardPlan.Shard shard : files)
            {
                final StoreFile storeFile = shards.store(shard.index());
                final RecoveryReport report = storeFile.store().recoveryReport();
                out.printf("pktstore: %sarena %s %s%n", shard.label(), shard.arena(), storeFile.describe());
                out.printf("pktstore: %srecovery: %s%n", shard.label(), report.summary());
                for (final String problem : report.problems())
                {
                    out.printf("pktstore: %srecovery: %s%n", shard.label(), problem);
                }
            }
            final String ifName = topology != null ? topology.stackInterface() : interfaceName;
            if (driver == Driver.PCAP)
            {
                replayDevice = PcapReplayDevice.open(replay, PcapReplayDevice.Pacing.CAPTURE_CLOCK);
            }
            final long interfaceMac = topology != null ? MacAddress.parse(topology.stackMac())
                : driver == Driver.PCAP ? recordedMac(files.get(0)) : MacAddress.parse(macOf(ifName));
            final List<ShardPlan.Shard> plan = plan(options, interfaceMac);
            final NanoClock clock = driver == Driver.PCAP ? replayDevice.captureClock()
                : record != null ? new EpochNanoClock() : new SystemNanoClock();
            if (topology != null)
            {
                // The kernel peer would otherwise hand us 64 KB TSO/GSO super-frames. AF_XDP cannot tell that a
                // veth frame's checksum was left to offload, so there the peer computes it (docs/af-xdp.md).
                topology.setPeerOffloads(driver != Driver.AF_XDP, false, false);
            }
            if (ifName != null && driver != Driver.PCAP)
            {
                receiveOffloadsOff(ifName, out);
            }
            if (topology == null && driver == Driver.AF_XDP)
            {
                out.printf("pktstore: note: AF_XDP cannot tell a checksum left to offload from a corrupt one: if %s is a "
                    + "veth or another virtual link, turn TX checksum offload off at its peer (ethtool -K PEER tx off)%n",
                    ifName);
            }
            shards.start(plan, (shard, storeFile) ->
            {
                final StackConfig stackConfig = StackConfig.builder().mac(shard.mac()).ip(shard.cidr())
                    .gateway(options.gateway()).idleMode(idleMode).build();
                final FrameDevice device = openDevice(ifName, shard, storeFile);
                return new StorageNode(device, stackConfig, nodeTcpConfig(), storeFile.store(), shard.server(), clock,
                    this::idleStrategy);
            });
            for (final ShardPlan.Shard shard : plan)
            {
                out.printf("pktstore: %sstack %s (%s) on %s (%s); RESP on port %s, HTTP on port %s; echo on %d, discard on %d%s%n",
                    shard.label(), shard.address(), MacAddress.toString(shard.mac()),
                    ifName == null ? "capture " + replay : ifName, driver, port(shard.server().respPort()),
                    port(shard.server().httpPort()), StorageNode.ECHO_PORT, StorageNode.DISCARD_PORT,
                    shard.server().cluster() == null ? "" : "; cluster slots " + slotsOf(shard));
            }
            final String ip = plan.get(0).address();
            if (topology != null)
            {
                printTryLines(out, topology.peerNamespace().name(), topology.peerAddress(), ip, plan.get(0).server());
            }
            out.flush();
            int status = 0;
            if (selfCheck)
            {
                status = SelfCheck.run(topology, ip, plan.get(0).server(), out) ? 0 : 1;
            }
            else if (durationSeconds > 0)
            {
                out.println("pktstore: running for " + durationSeconds + " s; Ctrl-C to stop sooner");
                out.flush();
                shards.await(stop, TimeUnit.SECONDS.toMillis(durationSeconds), out);
            }
            else if (driver == Driver.PCAP)
            {
                awaitReplay(shards, stop, out);
            }
            else
            {
                out.println("pktstore: running; Ctrl-C to stop");
                out.flush();
                shards.await(stop, 0, out);
            }
            shards.stopNodes();
            if (shards.reportFailures(out))
            {
                status = 1;
            }
            for (final String summary : shards.summaries())
            {
                out.println("pktstore: stopped; " + summary);
            }
            out.flush();
            return status;
        }
        finally
        {
            if (opened)
            {
                out.println("pktstore: arena" + (files.size() > 1 ? "s" : "") + " closed cleanly"
                    + (ownHost ? "; namespace and veth pair removed" : ""));
            }
            out.flush();
        }
    }

    /** A MAC for the plan before the interface is known (and for capture replays, which have none). */
    private static final long PLACEHOLDER_MAC = 0x02_00_00_00_00_02L;

    private List<ShardPlan.Shard> plan(final Options options, final long interfaceMac)
    {
        return ShardPlan.plan(options.shards(), arenaPath, options.cidr(), mac, interfaceMac, options.server(), clusterSlots,
            clusterPeers);
    }

    private static String slotsOf(final ShardPlan.Shard shard)
    {
        final StringBuilder sb = new StringBuilder();
        for (final int[] range : shard.server().cluster().self().ranges())
        {
            sb.append(sb.length() == 0 ? "" : ",").append(range[0] == range[1] ? range[0] + "" : range[0] + "-" + range[1]);
        }
        return sb.toString();
    }

    /** With --driver PCAP: until the capture is replayed (by the node's thread), or stop. */
    private void awaitReplay(final NodeShards shards, final CountDownLatch stop, final PrintWriter out) throws InterruptedException
    {
        while (replayDevice.remaining() > 0 && !shards.await(stop, 10, out))
        {
            // the capture is replayed by the node's thread
        }
        stop.await(200, TimeUnit.MILLISECONDS);   // the last replies' duty cycle
    }

    private static String port(final int port)
    {
        return port == 0 ? "off" : Integer.toString(port);
    }

    /** The capture being replayed (with --driver PCAP), read by the waiting thread. */
    private PcapReplayDevice replayDevice;

    /**
     * Opens a shard's socket. Every AF_PACKET socket carries the shard's station filter, so a shard
     * never copies frames meant for another station on the interface (another shard, another node,
     * the kernel's own address). An AF_XDP socket takes every frame of its queue into the shard's
     * arena (one shard per node: see {@link #shardCount}).
     */
    private FrameDevice openDevice(final String ifName, final ShardPlan.Shard shard, final StoreFile storeFile)
    {
        final FrameDevice device = switch (driver)
        {
            case AFPACKET_V2, AFPACKET_V3 -> AfPacketDevice.open(AfPacketConfig.builder(ifName)
                .version(driver == Driver.AFPACKET_V2 ? TpacketVersion.V2 : TpacketVersion.V3)
                .stationFilter(shard.mac(), shard.ip()).promiscuous(shard.promiscuous()).build());
            case AF_XDP -> AfXdpDevice.open(XdpConfig.builder(ifName).mode(xdpMode).build(),
                new ArenaFrameBuffers(storeFile.arena()));
            case PCAP -> skipOwnFrames(replayDevice, shard.mac());
        };
        if (record == null)
        {
            return device;
        }
        try
        {
            // The stack runs on epoch nanoseconds here (EpochNanoClock, or the capture's clock): no offset.
            return PcapRecordingDevice.open(device, record, 0, PcapRecordingDevice.Stamping.DUTY_CYCLE);
        }
        catch (final RuntimeException e)
        {
            device.close();
            throw e;
        }
    }

    /**
     * The node's TCP ({@link StorageNode#tcpConfig}) with --tcp-rto-min; with --tcp-seed, fixed secrets and ISNs
     * without the clock, so a recording replays and can be injected into a live node.
     */
    private TcpConfig nodeTcpConfig()
    {
        final TcpConfig config = StorageNode.tcpConfig(minRtoNs);
        if (tcpSeed != null)
        {
            config.seed(tcpSeed).isnWithoutClock(true);
        }
        return config;
    }

    /** --tcp-rto-min, checked. */
    private long minRtoNs;

    /** @return "200ms" or "2s" in nanoseconds. */
    private long parseDuration(final String text, final String flag)
    {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s)").matcher(text.trim());
        if (!m.matches())
        {
            throw new ParameterException(spec.commandLine(), flag + " must be a duration like 200ms or 1s, got '" + text + "'");
        }
        return Long.parseLong(m.group(1)) * (m.group(2).equals("s") ? 1_000_000_000L : 1_000_000L);
    }

    /**
     * @return the MAC the recorded node used at the (first) shard's address, so the replaying node
     *         answers as it did; a placeholder if the capture holds nothing from that address.
     */
    private long recordedMac(final ShardPlan.Shard shard)
    {
        final long recorded = replayDevice.sourceMacOf(shard.ip());
        return recorded != 0 ? recorded : PLACEHOLDER_MAC;
    }

    private static FrameDevice skipOwnFrames(final PcapReplayDevice device, final long mac)
    {
        device.skipFramesFrom(mac);
        return device;
    }

    private IdleStrategy idleStrategy(final NetworkStack stack)
    {
        if (driver == Driver.PCAP)
        {
            // A replay is a batch job on the capture's clock, which moves only when the thread cycles.
            return new BusySpinIdleStrategy();
        }
        return idleMode.newIdleStrategy(stack);
    }

    /**
     * A checksum "verified by hardware" can be stale after GRO/LRO merged segments, and the store keeps
     * the checksum as its integrity check: turn both off on the served interface (best effort; veth
     * has neither by default).
     */
    private static void receiveOffloadsOff(final String ifName, final PrintWriter out)
    {
        final CommandResult r = Commands.run(List.of("ethtool", "-K", ifName, "gro", "off", "lro", "off"), 10_000);
        if (r.exitCode() != 0 && !r.stderr().contains("not supported") && !r.stderr().contains("Cannot change"))
        {
            out.printf("pktstore: note: could not turn GRO/LRO off on %s (%s): make sure they are off%n", ifName,
                r.stderr().trim());
        }
    }

    private static void printTryLines(final PrintWriter out, final String ns, final String peer, final String ip,
                                      final ServerConfig server)
    {
        out.printf("pktstore: client namespace %s (kernel TCP at %s); try:%n", ns, peer);
        final String auth = server.password() == null ? "" : " -a '" + server.password() + "'";
        if (server.respPort() != 0)
        {
            out.printf("  ip netns exec %s redis-cli -h %s -p %d%s SET greeting hello%n", ns, ip, server.respPort(), auth);
            out.printf("  ip netns exec %s redis-cli -h %s -p %d%s GET greeting%n", ns, ip, server.respPort(), auth);
        }
        if (server.httpPort() != 0)
        {
            final String bearer = server.password() == null ? "" : " -H 'Authorization: Bearer " + server.password() + "'";
            out.printf("  ip netns exec %s curl -s%s -X PUT --data-binary 'hello over http' http://%s:%d/kv/greeting2%n",
                ns, bearer, ip, server.httpPort());
            out.printf("  ip netns exec %s curl -s%s http://%s:%d/kv/greeting2%n", ns, bearer, ip, server.httpPort());
        }
    }

    private Options validate() throws java.io.IOException
    {
        final long arenaBytes;
        final long maxValue;
        try
        {
            arenaBytes = ByteSize.parse(arenaSize);
            maxValue = ByteSize.parse(maxValueSize);
        }
        catch (final IllegalArgumentException e)
        {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (interfaceName != null && address == null)
        {
            throw new ParameterException(spec.commandLine(), "--interface needs --address (the stack's IPv4 address/prefix)");
        }
        if (selfCheck && (interfaceName != null || driver == Driver.PCAP))
        {
            throw new ParameterException(spec.commandLine(), "--self-check works on the veth pair the node creates only");
        }
        if (durationSeconds < 0)
        {
            throw new ParameterException(spec.commandLine(), "--duration must be 0 or more seconds, got " + durationSeconds);
        }
        if (address != null && !address.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}"))
        {
            throw new ParameterException(spec.commandLine(), "--address must be an IPv4 address/prefix like 198.18.0.2/24, got '"
                + address + "'");
        }
        if (interfaceName == null && driver != Driver.PCAP && address != null
            && (!address.startsWith("198.18.0.") || address.startsWith("198.18.0.1/")))
        {
            throw new ParameterException(spec.commandLine(), "on the veth pair it creates the stack must be in 198.18.0.0/24, "
                + "not the peer's address (the peer is " + DEFAULT_PEER_CIDR + "), got '" + address + "'");
        }
        if (driver == Driver.PCAP && replay == null)
        {
            throw new ParameterException(spec.commandLine(), "--driver PCAP needs --replay FILE.pcap");
        }
        if (replay != null && driver != Driver.PCAP)
        {
            throw new ParameterException(spec.commandLine(), "--replay needs --driver PCAP");
        }
        if (replay != null && !Files.isReadable(replay))
        {
            throw new ParameterException(spec.commandLine(), "--replay: cannot read " + replay);
        }
        if (interfaceName != null && !Files.exists(Path.of("/sys/class/net", interfaceName)))
        {
            throw new ParameterException(spec.commandLine(), "--interface: no network interface '" + interfaceName + "'");
        }
        if (recordsPerBuffer < 1 || recordsPerBuffer > 64)
        {
            throw new ParameterException(spec.commandLine(), "--records-per-buffer must be 1..64, got " + recordsPerBuffer);
        }
        if (maxValue < 8 << 20 || maxValue > 0xFFFF_FFFFL)
        {
            throw new ParameterException(spec.commandLine(), "--max-value-size must be 8m..4g, got " + maxValueSize);
        }
        Engine engine = null;
        if (engineName != null)
        {
            try
            {
                engine = Engine.valueOf(engineName.toUpperCase(java.util.Locale.ROOT));
            }
            catch (final IllegalArgumentException e)
            {
                throw new ParameterException(spec.commandLine(), "--engine must be skiplist or rbtree, got '" + engineName + "'");
            }
        }
        String password = requirePass;
        if (requirePassFile != null)
        {
            if (password != null)
            {
                throw new ParameterException(spec.commandLine(), "give --requirepass or --requirepass-file, not both");
            }
            final List<String> lines = Files.readAllLines(requirePassFile, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty())
            {
                throw new ParameterException(spec.commandLine(), "--requirepass-file: " + requirePassFile + " holds no password");
            }
            password = lines.get(0);
        }
        final String cidr = address != null ? address : DEFAULT_STACK_CIDR;
        ServerConfig server;
        try
        {
            server = ServerConfig.defaults().withPorts(respPort, httpPort).withPassword(password);
            if (clusterSlots != null && respPort == 0)
            {
                throw new IllegalArgumentException("--cluster-slots needs the RESP port (--resp-port is 0)");
            }
            if (clusterSlots == null && !clusterPeers.isEmpty())
            {
                throw new IllegalArgumentException("--cluster-peer needs --cluster-slots (this node's slots)");
            }
        }
        catch (final IllegalArgumentException e)
        {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        int gw = 0;
        if (gateway != null)
        {
            if (!gateway.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
            {
                throw new ParameterException(spec.commandLine(), "--gateway must be an IPv4 address, got '" + gateway + "'");
            }
            gw = io.pktstore.stack.wire.Ipv4Address.parse(gateway);
        }
        minRtoNs = parseDuration(rtoMin, "--tcp-rto-min");
        if (minRtoNs < 10_000_000L || minRtoNs > 60_000_000_000L)
        {
            throw new ParameterException(spec.commandLine(), "--tcp-rto-min must be 10ms..60s, got " + rtoMin);
        }
        final Options options = new Options(arenaBytes, engine, KvStoreConfig.defaults().withMaxValueBytes(maxValue), server,
            cidr, gw, shardCount());
        try
        {
            // Addresses, MAC, slot shares and arena files checked before anything is created.
            plan(options, PLACEHOLDER_MAC);
            ShardPlan.checkNoOtherShardCount(arenaPath, options.shards());
        }
        catch (final IllegalArgumentException e)
        {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return options;
    }

    /** @return the --shards count: a number, or "auto" for one per available core. */
    private int shardCount()
    {
        if ("auto".equals(shards))
        {
            return Runtime.getRuntime().availableProcessors();
        }
        final int count;
        try
        {
            count = Integer.parseInt(shards);
        }
        catch (final NumberFormatException e)
        {
            throw new ParameterException(spec.commandLine(), "--shards must be a number 1..64 or auto, got '" + shards + "'");
        }
        if (count < 1 || count > MAX_SHARDS)
        {
            throw new ParameterException(spec.commandLine(), "--shards must be 1.." + MAX_SHARDS + " or auto, got " + count);
        }
        if (count > 1 && driver == Driver.AF_XDP)
        {
            throw new ParameterException(spec.commandLine(), "--driver AF_XDP serves one shard: its program takes the "
                + "whole queue into one arena; drop --shards");
        }
        if (count > 1 && (driver == Driver.PCAP || record != null))
        {
            throw new ParameterException(spec.commandLine(), "--driver PCAP and --record serve one shard (one capture file): "
                + "drop --shards");
        }
        return count;
    }

    private static String macOf(final String ifName) throws java.io.IOException
    {
        final Path path = Path.of("/sys/class/net", ifName, "address");
        return Files.readString(path, StandardCharsets.US_ASCII).trim();
    }

    private static void awaitQuietly(final CountDownLatch latch, final long seconds)
    {
        try
        {
            latch.await(seconds, TimeUnit.SECONDS);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
