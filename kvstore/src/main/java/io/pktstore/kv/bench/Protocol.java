package io.pktstore.kv.bench;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The wire protocols the load generator speaks: how a PUT and a GET of a key are written, and what
 * a networking-only server answers to a PUT "as if stored". Keys have one fixed width and values one
 * fixed size, so every PUT request of a run has the same length: the networking-only baseline
 * ({@link io.pktstore.stack.app.ReplyingDiscardServer}) can answer without parsing anything.
 */
public enum Protocol
{
    /** Redis's RESP2: SET and GET as arrays of bulk strings (what redis-cli and client libraries send). */
    RESP("+OK\r\n")
    {
        @Override
        byte[] put(final byte[] key, final byte[] value, final String host)
        {
            return concat(ascii("*3\r\n$3\r\nSET\r\n$" + key.length + "\r\n"), key,
                ascii("\r\n$" + value.length + "\r\n"), value, ascii("\r\n"));
        }

        @Override
        byte[] get(final byte[] key, final String host)
        {
            return concat(ascii("*2\r\n$3\r\nGET\r\n$" + key.length + "\r\n"), key, ascii("\r\n"));
        }
    },
    /** HTTP/1.1 keep-alive: PUT and GET of /kv/&lt;key&gt; with Content-Length (what wrk sends with a Lua script). */
    HTTP("HTTP/1.1 204 No Content\r\n\r\n")
    {
        @Override
        byte[] put(final byte[] key, final byte[] value, final String host)
        {
            return concat(ascii("PUT /kv/"), key, ascii(" HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: " + value.length
                + "\r\n\r\n"), value);
        }

        @Override
        byte[] get(final byte[] key, final String host)
        {
            return concat(ascii("GET /kv/"), key, ascii(" HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
        }
    };

    private final byte[] storedReply;

    Protocol(final String storedReply)
    {
        this.storedReply = ascii(storedReply);
    }

    /** @return the request that stores {@code value} under {@code key}. */
    abstract byte[] put(byte[] key, byte[] value, String host);

    /** @return the request that reads {@code key}. */
    abstract byte[] get(byte[] key, String host);

    /** @return the size on the wire of every PUT of a {@code valueBytes} value (keys have one width). */
    public int putRequestBytes(final int valueBytes, final String host)
    {
        return put(new byte[Workload.KEY_BYTES], new byte[valueBytes], host).length;
    }

    /** @return what a server that stored a PUT answers (the networking-only baseline sends exactly this). */
    public byte[] storedReply()
    {
        return storedReply.clone();
    }

    /** @return the protocol named (case-insensitive). */
    public static Protocol parse(final String name)
    {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** @return the lower-case name used in files and on the command line. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] p : parts)
        {
            length += p.length;
        }
        final byte[] out = new byte[length];
        int at = 0;
        for (final byte[] p : parts)
        {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
