package io.pktstore.kv.http;

/** The status codes this server sends and their reason phrases (RFC 9110 15). */
public final class HttpStatus
{
    private static final String[] REASONS = new String[600];

    static
    {
        REASONS[100] = "Continue";
        REASONS[200] = "OK";
        REASONS[201] = "Created";
        REASONS[202] = "Accepted";
        REASONS[204] = "No Content";
        REASONS[400] = "Bad Request";
        REASONS[401] = "Unauthorized";
        REASONS[404] = "Not Found";
        REASONS[405] = "Method Not Allowed";
        REASONS[411] = "Length Required";
        REASONS[413] = "Content Too Large";
        REASONS[414] = "URI Too Long";
        REASONS[417] = "Expectation Failed";
        REASONS[431] = "Request Header Fields Too Large";
        REASONS[500] = "Internal Server Error";
        REASONS[501] = "Not Implemented";
        REASONS[503] = "Service Unavailable";
        REASONS[505] = "HTTP Version Not Supported";
        REASONS[507] = "Insufficient Storage";
    }

    private HttpStatus()
    {
    }

    /** @return the reason phrase of a status this server sends. */
    public static String reason(final int status)
    {
        final String reason = status >= 0 && status < REASONS.length ? REASONS[status] : null;
        if (reason == null)
        {
            throw new IllegalArgumentException("status " + status + " is not one this server sends");
        }
        return reason;
    }
}
