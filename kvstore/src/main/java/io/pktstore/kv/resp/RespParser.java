package io.pktstore.kv.resp;

import io.pktstore.kv.server.Arguments;
import io.pktstore.kv.server.InputQueue;
import io.pktstore.kv.server.ValueChain;
import io.pktstore.stack.record.PacketRecordPool;
import org.agrona.UnsafeApi;

/**
 * Incremental RESP2 request parser over an {@link InputQueue}, in the manner of Redis's
 * {@code processMultibulkBuffer} and {@code processInlineBuffer}: its state lives here, so it resumes at
 * any byte boundary; it returns early on short input and checks every length against its limit before
 * reading the bytes; it throws nothing.
 *
 * <ul>
 *   <li>Array form: {@code *<count>\r\n} then {@code count} times {@code $<length>\r\n<bytes>\r\n}.
 *       Each bulk becomes an argument as a chain of range clones, taken as the bytes arrive (a value
 *       larger than the receive window streams through), or is skipped when the session asked to
 *       discard the request's arguments (a write refused before its value is read).</li>
 *   <li>Inline form: a line up to {@link #MAX_INLINE} bytes, copied to the session's scratch and split
 *       into arguments on spaces, with Redis's double and single quotes and escapes.</li>
 * </ul>
 * Errors carry Redis's own texts; after one the session answers it and closes the connection, as
 * Redis does (the stream is out of sync).
 */
public final class RespParser
{
    /** The input ended before a request did. */
    public static final int NEED_MORE = 0;
    /** A whole request is in the arguments. */
    public static final int REQUEST = 1;
    /** The request's first argument (its command) is in, more follow: the session may call {@link #discardRest}. */
    public static final int COMMAND_NAME = 2;
    /** The stream is malformed: {@link #error()} says how; answer it and close. */
    public static final int PROTOCOL_ERROR = 3;

    /** Longest inline request, and longest count line (Redis's PROTO_INLINE_MAX_SIZE). */
    public static final int MAX_INLINE = 64 * 1024;

    private static final int START = 0;
    private static final int ARRAY_COUNT = 1;
    private static final int BULK_HEADER = 2;
    private static final int BULK_DATA = 3;
    private static final int BULK_END = 4;
    /** {@link #inline} found an empty line: nothing to run, go on. */
    private static final int EMPTY_LINE = -1;

    private final long scratch;
    private final long lineScratch;
    private final int maxArguments;
    private final long maxBulk;
    private int state = START;
    private long remainingArguments;
    private long bulkLength;
    private long bulkLeft;
    private final ValueChain bulk;
    private boolean discardRest;
    private String error;

    /**
     * @param pool the pool over the stack's arena (clones are made and dropped through it).
     * @param scratch the session's scratch (at least {@link #MAX_INLINE} bytes): inline lines.
     * @param maxArguments most arguments per request.
     * @param maxBulk longest bulk argument (the store's value limit).
     */
    public RespParser(final PacketRecordPool pool, final long scratch, final int maxArguments, final long maxBulk)
    {
        this.bulk = new ValueChain(pool);
        this.scratch = scratch;
        this.lineScratch = UnsafeApi.allocateMemory(32);
        this.maxArguments = maxArguments;
        this.maxBulk = maxBulk;
    }

    /** @return the protocol error's text (Redis's wording, without "-ERR "), after {@link #PROTOCOL_ERROR}. */
    public String error()
    {
        return error;
    }

    /** Skip (do not keep) the remaining arguments of the current request: it will be refused. */
    public void discardRest()
    {
        discardRest = true;
    }

    /** @return true while a request is partly parsed. */
    public boolean midRequest()
    {
        return state != START;
    }

    /** Drops a partly built argument (connection gone). */
    public void reset()
    {
        bulk.release();
        state = START;
        discardRest = false;
    }

    /**
     * Parses as far as the input allows.
     *
     * @param in the bytes.
     * @param args where the request's arguments go (empty at a request's start).
     * @return {@link #NEED_MORE}, {@link #COMMAND_NAME}, {@link #REQUEST} or {@link #PROTOCOL_ERROR}.
     */
    public int parse(final InputQueue in, final Arguments args)
    {
        while (true)
        {
            switch (state)
            {
                case START:
                {
                    if (in.available() == 0)
                    {
                        return NEED_MORE;
                    }
                    discardRest = false;
                    if (in.peek() != '*')
                    {
                        final int result = inline(in, args);
                        if (result != EMPTY_LINE)
                        {
                            return result;
                        }
                        break;
                    }
                    state = ARRAY_COUNT;
                    break;
                }
                case ARRAY_COUNT:
                {
                    final long count = number(in, "Protocol error: too big mbulk count string",
                        "Protocol error: invalid multibulk length");
                    if (count == NEED)
                    {
                        return NEED_MORE;
                    }
                    if (count == BAD || count > maxArguments)
                    {
                        if (count != BAD)
                        {
                            error = "Protocol error: invalid multibulk length";
                        }
                        return PROTOCOL_ERROR;
                    }
                    if (count <= 0)
                    {
                        state = START;   // "*0" and "*-1" are empty requests: skipped, as Redis does
                        break;
                    }
                    args.ensureCapacity((int)Math.min(count, 1024));
                    remainingArguments = count;
                    state = BULK_HEADER;
                    break;
                }
                case BULK_HEADER:
                {
                    if (in.available() == 0)
                    {
                        return NEED_MORE;
                    }
                    final int first = in.peek();
                    if (first != '$')
                    {
                        error = "Protocol error: expected '$', got '" + (char)first + "'";
                        return PROTOCOL_ERROR;
                    }
                    final long length = number(in, "Protocol error: too big bulk count string",
                        "Protocol error: invalid bulk length");
                    if (length == NEED)
                    {
                        return NEED_MORE;
                    }
                    if (length == BAD || length < 0 || length > maxBulk)
                    {
                        error = "Protocol error: invalid bulk length";
                        return PROTOCOL_ERROR;
                    }
                    bulkLength = length;
                    bulkLeft = length;
                    state = BULK_DATA;
                    break;
                }
                case BULK_DATA:
                {
                    if (bulkLeft > 0)
                    {
                        final long n = Math.min(bulkLeft, in.available());
                        if (n == 0)
                        {
                            return NEED_MORE;
                        }
                        if (discardRest)
                        {
                            in.skip(n);
                        }
                        else
                        {
                            // No record left in the arena: parsing keeps in step, the request will be refused.
                            discardRest = !bulk.cloneFrom(in, n);
                        }
                        bulkLeft -= n;
                        if (bulkLeft > 0)
                        {
                            return NEED_MORE;
                        }
                    }
                    state = BULK_END;
                    break;
                }
                case BULK_END:
                {
                    // Redis skips the two bytes after a bulk without looking at them; so do we.
                    if (in.available() < 2)
                    {
                        return NEED_MORE;
                    }
                    in.skip(2);
                    if (discardRest)
                    {
                        args.addDiscarded(bulkLength);   // the clones made before the arena ran out went already
                    }
                    else
                    {
                        args.addChain(bulk.take(), bulkLength);
                    }
                    remainingArguments--;
                    if (remainingArguments == 0)
                    {
                        state = START;
                        return REQUEST;
                    }
                    state = BULK_HEADER;
                    if (args.count() == 1)
                    {
                        return COMMAND_NAME;
                    }
                    break;
                }
                default:
                    throw new IllegalStateException("parser state " + state);
            }
        }
    }

    private static final long NEED = Long.MIN_VALUE;
    private static final long BAD = Long.MIN_VALUE + 1;

    /**
     * Reads "{@code X<digits>\r\n}" (X = '*' or '$' at the cursor): the number, {@link #NEED} if the line
     * is not complete, or {@link #BAD} (with {@link #error} set) if it is too long or not a number.
     */
    private long number(final InputQueue in, final String tooLong, final String invalid)
    {
        final long cr = in.indexOf('\r', MAX_INLINE);
        if (cr < 0)
        {
            if (in.available() > MAX_INLINE)
            {
                error = tooLong;
                return BAD;
            }
            return NEED;
        }
        if (cr + 2 > in.available())
        {
            return NEED;   // the '\n' must be there too
        }
        final long digits = cr - 1;
        if (digits < 1 || digits > 20)
        {
            in.skip(cr + 2);
            error = invalid;
            return BAD;
        }
        in.skip(1);
        in.copy(lineScratch, (int)digits);
        in.skip(2);
        long value = 0;
        boolean negative = false;
        for (int i = 0; i < digits; i++)
        {
            final int c = UnsafeApi.getByte(lineScratch + i);
            if (i == 0 && c == '-' && digits > 1)
            {
                negative = true;
                continue;
            }
            if (c < '0' || c > '9' || value > (Long.MAX_VALUE - 9) / 10)
            {
                error = invalid;
                return BAD;
            }
            value = value * 10 + (c - '0');
        }
        return negative ? -value : value;
    }

    /** An inline request: one line, split like Redis's sdssplitargs. */
    private int inline(final InputQueue in, final Arguments args)
    {
        final long lf = in.indexOf('\n', MAX_INLINE + 1);
        if (lf < 0)
        {
            if (in.available() > MAX_INLINE)
            {
                error = "Protocol error: too big inline request";
                return PROTOCOL_ERROR;
            }
            return NEED_MORE;
        }
        int length = (int)lf;
        in.copy(scratch, length);
        in.skip(1);
        if (length > 0 && UnsafeApi.getByte(scratch + length - 1) == '\r')
        {
            length--;
        }
        if (!InlineSplitter.split(scratch, length, args))
        {
            args.clear();
            error = "Protocol error: unbalanced quotes in request";
            return PROTOCOL_ERROR;
        }
        return args.count() == 0 ? EMPTY_LINE : REQUEST;
    }
}
