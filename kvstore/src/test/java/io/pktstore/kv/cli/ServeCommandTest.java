package io.pktstore.kv.cli;

import io.pktstore.arena.ArenaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node's default mode, end to end: its own veth pair and namespace, the kernel's TCP as client. */
class ServeCommandTest {
    private final CommandRun cli = new CommandRun();

    @Test
    @Timeout(180)
    void storesValuesForRealClientsOnItsOwnVethPairAndARestartRecoversThem(@TempDir final Path dir) throws Exception {
        final Path arena = dir.resolve("node.arena");
        assertEquals(0, cli.run("serve", "--self-check", "--arena", arena.toString(), "--arena-size", "32m"), cli.out() + "\n" + cli.err());
        final String text = cli.out();
        assertTrue(text.contains("self-check passed: resp True;echo True;discard True; redis-cli SET OK, GET works; "
            + "curl PUT 201, GET hello over http"), text);
        assertTrue(text.contains("created, 32 MiB"), text);
        assertTrue(text.contains("engine skiplist"), text);
        final Matcher ns = Pattern.compile("client namespace (pks[0-9a-f]+n)").matcher(text);
        assertTrue(ns.find(), text);
        assertTrue(text.contains("ip netns exec " + ns.group(1) + " redis-cli -h 198.18.0.2 -p 6379 SET greeting hello"), text);
        assertFalse(Files.exists(Path.of("/run/netns", ns.group(1))), "namespace " + ns.group(1) + " left behind");

        // Reopening the same arena: a clean previous shutdown, both keys recovered and verified.
        cli.out.getBuffer().setLength(0);
        assertEquals(0, cli.run("serve", "--duration", "1", "--arena", arena.toString()), cli.out() + "\n" + cli.err());
        assertTrue(cli.out().contains("opened (previous shutdown clean)"), cli.out());
        assertTrue(cli.out().contains("recovery: 3 keys (100020 value bytes)"), cli.out());
        assertTrue(cli.out().contains("pktstore: running for 1 s"), cli.out());
        assertFalse(cli.out().contains("replayed"), "a clean close leaves no link log to replay: " + cli.out());

        // Asking for the other engine is refused with a clear message, the file untouched.
        final byte[] before = Files.readAllBytes(arena);
        assertEquals(1, cli.run("serve", "--duration", "1", "--arena", arena.toString(), "--engine", "rbtree"));
        assertTrue(cli.err().contains(arena + " holds a skiplist store, not a rbtree store"), cli.err());
        assertTrue(cli.err().contains("--format"), cli.err());
        assertArrayEquals(before, Files.readAllBytes(arena));

        // --format replaces it with an empty store of the asked engine.
        cli.out.getBuffer().setLength(0);
        assertEquals(0, cli.run("serve", "--duration", "1", "--arena", arena.toString(), "--engine", "rbtree", "--format"),
            cli.err());
        assertTrue(cli.out().contains("reformatted"), cli.out());
        assertTrue(cli.out().contains("recovery: 0 keys"), cli.out());
        assertTrue(cli.out().contains("engine rbtree"), cli.out());
    }

    @Test
    @Timeout(180)
    void selfCheckPassesOnAfXdpWithTheKernelWritingIntoTheArena() throws Exception {
        final Path arena = Path.of("/dev/shm", "pks-xdp-node-" + ProcessHandle.current().pid() + ".arena");
        try {
            assertEquals(0, cli.run("serve", "--self-check", "--driver", "AF_XDP", "--arena", arena.toString(),
                "--arena-size", "32m"), cli.out() + "\n" + cli.err());
            final String text = cli.out();
            assertTrue(text.contains("(AF_XDP)"), text);
            assertTrue(text.contains("self-check passed: resp True;echo True;discard True; redis-cli SET OK, GET works"), text);
        } finally {
            Files.deleteIfExists(arena);
        }
    }

    @Test
    @Timeout(120)
    void afXdpRefusesAnArenaOnABlockFileSystemNamingTheCauseAndTheWayOut(@TempDir final Path dir) throws Exception {
        final String type = io.pktstore.nic.host.Commands.run(List.of("stat", "-f", "-c", "%T", dir.toString()), 10_000)
            .stdout().trim();
        org.junit.jupiter.api.Assumptions.assumeTrue(type.startsWith("ext"), "needs a block file system, " + dir + " is " + type);
        assertEquals(1, cli.run("serve", "--duration", "1", "--driver", "AF_XDP", "--arena",
            dir.resolve("node.arena").toString(), "--arena-size", "32m"), cli.out() + "\n" + cli.err());
        final String err = cli.err();
        assertTrue(err.contains("EFAULT") && err.contains("/dev/shm") && err.contains("AFPACKET_V2"), err);
    }

    @Test
    void refusesAFileThatIsNotAnArenaAndLeavesItUntouched(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("notes.txt");
        final byte[] content = new byte[8192];
        java.util.Arrays.fill(content, (byte) 'x');
        Files.write(file, content);
        assertEquals(1, cli.run("serve", "--duration", "1", "--arena", file.toString()));
        assertTrue(cli.err().contains(file + " is not a pktstore arena"), cli.err());
        assertFalse(cli.out().contains("arena closed"), "nothing was opened, nothing was closed: " + cli.out());
        assertArrayEquals(content, Files.readAllBytes(file));
    }

    @Test
    void anArenaFileIsServedByOneProcessAtATime(@TempDir final Path dir) {
        final Path file = dir.resolve("shared.arena");
        try (StoreFile first = StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults())) {
            final ArenaException e = assertThrows(ArenaException.class, () -> StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults()));
            assertTrue(e.getMessage().contains("in use by another pktstore process"), e.getMessage());
            assertTrue(first.arena().freeBufferCount() > 0, "the first holder's arena is unharmed");
        }
    }

    @Test
    void aFailedCreateLeavesNoFileBehind(@TempDir final Path dir) {
        final Path file = dir.resolve("tiny.arena");
        assertThrows(ArenaException.class, () -> StoreFile.open(file, 4096, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults()));
        assertFalse(Files.exists(file), "an arena too small to format must not leave a file");
    }

    @Test
    void aShardsStoreIsRefusedAsAnotherShardOrUnderAnotherShardCountAndLeftUntouched(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("node.arena.1");
        StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults(), new int[] {1, 2}).close();
        final byte[] before = Files.readAllBytes(file);
        final io.pktstore.kv.store.KvFormatException count = assertThrows(io.pktstore.kv.store.KvFormatException.class,
            () -> StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults(), new int[] {1, 3}));
        assertTrue(count.getMessage().contains("holds shard 1 of 2, but this node opens it as shard 1 of 3: start with --shards 2"),
            count.getMessage());
        assertThrows(io.pktstore.kv.store.KvFormatException.class,
            () -> StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults()));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (StoreFile again = StoreFile.open(file, 8 << 20, 8, null, false, io.pktstore.kv.store.KvStoreConfig.defaults(),
            new int[] {1, 2})) {
            assertEquals(0, again.store().count());
        }
    }

    @Test
    void badFlagsAreUsageErrorsThatSayWhatIsWrong() {
        assertEquals(2, cli.run("serve", "--interface", "eth9"));
        assertTrue(cli.err().contains("--interface needs --address"), cli.err());
        assertEquals(2, cli.run("serve", "--address", "10.0.0.5/24"));
        assertTrue(cli.err().contains("198.18.0.0/24"), cli.err());
        assertEquals(2, cli.run("serve", "--address", "banana"));
        assertEquals(2, cli.run("serve", "--duration", "-3"));
        assertEquals(2, cli.run("serve", "--idle", "SOMETIMES"));
        assertEquals(2, cli.run("serve", "--arena-size", "lots", "--arena", "/dev/shm/pks-never-created.arena"));
        assertTrue(cli.err().contains("not a size: 'lots'"), cli.err());
        assertFalse(Files.exists(Path.of("/dev/shm/pks-never-created.arena")));
        assertEquals(2, cli.run("serve", "--engine", "btree"));
        assertTrue(cli.err().contains("--engine must be skiplist or rbtree, got 'btree'"), cli.err());
        assertEquals(2, cli.run("serve", "--interface", "pksnosuchif0", "--address", "198.18.5.2/24"));
        assertTrue(cli.err().contains("no network interface 'pksnosuchif0'"), cli.err());
        assertEquals(2, cli.run("serve", "--resp-port", "8080"));
        assertTrue(cli.err().contains("ports must differ"), cli.err());
        assertEquals(2, cli.run("serve", "--driver", "AF_XDP", "--shards", "2"));
        assertTrue(cli.err().contains("--driver AF_XDP serves one shard"), cli.err());
        assertEquals(2, cli.run("serve", "--driver", "PCAP"));
        assertTrue(cli.err().contains("--driver PCAP needs --replay"), cli.err());
        assertEquals(2, cli.run("serve", "--max-value-size", "1k"));
        assertTrue(cli.err().contains("--max-value-size must be 8m..4g"), cli.err());
        assertEquals(2, cli.run("serve", "--shards", "0"));
        assertTrue(cli.err().contains("--shards must be 1..64 or auto, got 0"), cli.err());
        assertEquals(2, cli.run("serve", "--shards", "many"));
        assertTrue(cli.err().contains("--shards must be a number 1..64 or auto, got 'many'"), cli.err());
        assertEquals(2, cli.run("serve", "--shards", "3", "--address", "198.18.0.253/24"));
        assertTrue(cli.err().contains("shard 2 would be 198.18.0.255 (the broadcast address)"), cli.err());
        assertEquals(2, cli.run("serve", "--address", "198.18.0.1/24"));
        assertTrue(cli.err().contains("not the peer's address"), cli.err());
        assertEquals(2, cli.run("serve", "--mac", "01:00:5e:00:00:01"));
        assertTrue(cli.err().contains("--mac must be a unicast address"), cli.err());
        assertEquals(2, cli.run("serve", "--mac", "zz"));
        assertTrue(cli.err().contains("not a MAC address"), cli.err());
        assertEquals(2, cli.run("serve", "--shards", "2", "--cluster-slots", "5"));
        assertTrue(cli.err().contains("1 slots cannot be split into 2 shards"), cli.err());
        assertEquals(2, cli.run("serve", "--cluster-peer", "198.18.0.3:6379=0-5"));
        assertTrue(cli.err().contains("--cluster-peer needs --cluster-slots"), cli.err());
        assertEquals(2, cli.run("serve", "--tcp-rto-min", "5"));
        assertTrue(cli.err().contains("--tcp-rto-min must be a duration like 200ms or 1s, got '5'"), cli.err());
        assertEquals(2, cli.run("serve", "--tcp-rto-min", "1ms"));
        assertTrue(cli.err().contains("--tcp-rto-min must be 10ms..60s, got 1ms"), cli.err());
        assertEquals(2, cli.run("serve", "--no-such-flag"));
        assertTrue(cli.err().contains("Unknown option: '--no-such-flag'"), cli.err());
    }
}
