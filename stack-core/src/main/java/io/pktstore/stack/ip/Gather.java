package io.pktstore.stack.ip;

import io.pktstore.stack.wire.InternetChecksum;

/**
 * A pre-sized list of (address, length) pieces that together form one transport payload (e.g. a
 * TCP header in scratch memory followed by data in one or more retained packet buffers). Handed to
 * {@link Ipv4Output#send}; nothing is copied in user space, the device gathers the pieces.
 *
 * <p>Reusable: {@link #clear()} then {@link #add} again. Not thread-safe; allocation-free after
 * construction.
 */
public final class Gather
{
    private final long[] addresses;
    private final int[] lengths;
    private int count;
    private int totalLength;

    /**
     * @param maxPieces the most pieces one payload may have, at least 1.
     */
    public Gather(final int maxPieces)
    {
        if (maxPieces < 1)
        {
            throw new IllegalArgumentException("Gather needs at least 1 piece, was " + maxPieces);
        }
        addresses = new long[maxPieces];
        lengths = new int[maxPieces];
    }

    /** Forgets all pieces. */
    public void clear()
    {
        count = 0;
        totalLength = 0;
    }

    /**
     * Appends a piece.
     *
     * @param address first byte of the piece (non-zero).
     * @param length bytes in the piece, >= 0 (empty pieces are accepted and ignored).
     * @throws IllegalStateException if {@link #maxPieces()} pieces are already held.
     * @throws IllegalArgumentException if the address is 0 or the length negative.
     */
    public void add(final long address, final int length)
    {
        if (address == 0 || length < 0)
        {
            throw new IllegalArgumentException("bad gather piece: address=" + address + " length=" + length);
        }
        if (length == 0)
        {
            return;
        }
        if (count == addresses.length)
        {
            throw new IllegalStateException("gather full: " + addresses.length + " pieces");
        }
        addresses[count] = address;
        lengths[count] = length;
        count++;
        totalLength += length;
    }

    /** @return the number of pieces held. */
    public int count()
    {
        return count;
    }

    /** @return the capacity in pieces. */
    public int maxPieces()
    {
        return addresses.length;
    }

    /**
     * @param i piece index, 0..count()-1.
     * @return its first byte's address.
     */
    public long address(final int i)
    {
        return addresses[i];
    }

    /**
     * @param i piece index, 0..count()-1.
     * @return its length in bytes.
     */
    public int length(final int i)
    {
        return lengths[i];
    }

    /** @return the sum of all piece lengths. */
    public int totalLength()
    {
        return totalLength;
    }

    /**
     * The Internet checksum running sum over all pieces in order, correct for pieces of any length
     * (odd-length pieces shift the word alignment of the ones after them).
     *
     * @param initial running sum to start from (e.g. {@link InternetChecksum#pseudoHeaderIpv4}).
     * @return the running sum; finish with {@link InternetChecksum#fold}.
     */
    public int checksum(final int initial)
    {
        int sum = initial;
        long preceding = 0;
        for (int i = 0; i < count; i++)
        {
            sum = InternetChecksum.sumContinuing(addresses[i], lengths[i], sum, preceding);
            preceding += lengths[i];
        }
        return sum;
    }
}
