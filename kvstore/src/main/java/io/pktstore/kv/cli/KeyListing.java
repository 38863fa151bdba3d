package io.pktstore.kv.cli;

import io.pktstore.kv.index.Nodes;
import io.pktstore.kv.store.KvStore;
import io.pktstore.stack.record.PacketRecord;
import org.agrona.UnsafeApi;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Every key of a store in key order, one line each, for comparing two stores with diff:
 * <pre>
 *   key-as-text  value-length  sha256-of-value-in-hex   (or DAMAGED instead of the digest)
 * </pre>
 * A key's printable ASCII bytes are printed as they are; any other byte, a space and the backslash
 * as {@code \xHH}, so a line always has exactly three fields.
 */
final class KeyListing
{
    private static final int PAGE = 256;

    private KeyListing()
    {
    }

    /** Prints every key of {@code store}. @return the number of keys printed. */
    static long print(final KvStore store, final PrintWriter out)
    {
        final Nodes nodes = store.nodes();
        final int[] page = new int[PAGE];
        final MessageDigest sha = sha256();
        final byte[] chunk = new byte[4096];
        long printed = 0;
        int n = store.scan(0, 0, true, 0, -1, page, PAGE);
        while (n > 0)
        {
            for (int i = 0; i < n; i++)
            {
                final int node = page[i];
                final StringBuilder line = keyText(nodes.keyAddress(node), nodes.keyLength(node));
                line.append(' ').append(store.valueLength(node)).append(' ');
                line.append(store.isDamaged(node) ? "DAMAGED" : hex(digest(nodes, store.valueHead(node), sha, chunk)));
                out.println(line);
                printed++;
            }
            final int last = page[n - 1];
            n = store.scan(nodes.keyAddress(last), nodes.keyLength(last), false, 0, -1, page, PAGE);
        }
        return printed;
    }

    private static StringBuilder keyText(final long key, final int length)
    {
        final StringBuilder sb = new StringBuilder(length + 16);
        for (int i = 0; i < length; i++)
        {
            final int b = UnsafeApi.getByte(key + i) & 0xFF;
            if (b > ' ' && b < 0x7F && b != '\\')
            {
                sb.append((char)b);
            }
            else
            {
                sb.append("\\x").append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        return sb;
    }

    /** @return the SHA-256 of a value chain's bytes (each record's data range, in chain order). */
    private static byte[] digest(final Nodes nodes, final int head, final MessageDigest sha, final byte[] chunk)
    {
        for (int r = head; r != PacketRecord.NO_RECORD; r = nodes.next(r))
        {
            final long data = nodes.dataAddress(r);
            final int length = nodes.dataLength(r);
            for (int at = 0; at < length; at += chunk.length)
            {
                final int piece = Math.min(chunk.length, length - at);
                UnsafeApi.copyMemory(null, data + at, chunk, UnsafeApi.arrayBaseOffset(byte[].class), piece);
                sha.update(chunk, 0, piece);
            }
        }
        return sha.digest();
    }

    private static String hex(final byte[] bytes)
    {
        final StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            sb.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException(e);
        }
    }
}
