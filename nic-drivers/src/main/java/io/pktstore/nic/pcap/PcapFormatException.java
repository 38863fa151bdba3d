package io.pktstore.nic.pcap;

import java.nio.file.Path;

import io.pktstore.nic.DeviceException;

/** A capture file is not a readable pcap/pcapng file: garbage, truncated, or unsupported. Names the file and offset. */
public final class PcapFormatException extends DeviceException
{
    private static final long serialVersionUID = 1L;

    /** The capture file (not serialized). */
    private final transient Path file;
    /** Byte offset of the problem, -1 if unknown. */
    private final long offset;

    /**
     * @param file the capture file.
     * @param offset byte offset of the problem, -1 if unknown.
     * @param detail what is wrong.
     * @param cause underlying error or null.
     */
    public PcapFormatException(final Path file, final long offset, final String detail, final Throwable cause)
    {
        super("bad capture file " + file + (offset >= 0 ? " at byte offset " + offset : "") + ": " + detail, cause);
        this.file = file;
        this.offset = offset;
    }

    /** @return the capture file. */
    public Path file()
    {
        return file;
    }

    /** @return byte offset of the problem, -1 if unknown. */
    public long offset()
    {
        return offset;
    }
}
