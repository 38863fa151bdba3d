package io.pktstore.kv.http;

/**
 * What {@link HttpParser} learned from one request's head: the method, the resource and its key or
 * query (as offsets into the parser's head area), and the header fields the server acts on. Reset at
 * each request; plain fields, no allocation.
 */
public final class HttpRequestHead
{
    /** No Content-Length field. */
    public static final long NO_CONTENT_LENGTH = -1;
    /** A Content-Length with more digits than any value this server could take (answered 413). */
    public static final long TOO_LARGE = Long.MAX_VALUE;

    /** The path names nothing this server has. */
    public static final int NOT_FOUND = 0;
    /** {@code /kv/<key>}. */
    public static final int KEY = 1;
    /** {@code /kv}: ordered scan. */
    public static final int SCAN = 2;
    /** {@code /_stats}. */
    public static final int STATS = 3;
    /** {@code /metrics}. */
    public static final int METRICS = 4;
    /** {@code /_scrub}. */
    public static final int SCRUB = 5;

    int method;
    int minorVersion;
    int resource;
    /** Why the target cannot be served although the request is well framed (400), or null. */
    String targetError;
    int keyOffset;
    int keyLength;
    int queryOffset;
    int queryLength;
    long contentLength;
    boolean transferEncoding;
    boolean chunkedOnly;
    int hosts;
    boolean connectionClose;
    boolean connectionKeepAlive;
    boolean expectContinue;
    boolean expectOther;
    int tokenOffset;
    int tokenLength;

    void reset()
    {
        method = HttpMethods.UNKNOWN;
        minorVersion = 1;
        resource = NOT_FOUND;
        targetError = null;
        keyOffset = 0;
        keyLength = 0;
        queryOffset = 0;
        queryLength = -1;
        contentLength = NO_CONTENT_LENGTH;
        transferEncoding = false;
        chunkedOnly = false;
        hosts = 0;
        connectionClose = false;
        connectionKeepAlive = false;
        expectContinue = false;
        expectOther = false;
        tokenOffset = 0;
        tokenLength = -1;
    }

    /** @return the method's id ({@link HttpMethods}). */
    public int method()
    {
        return method;
    }

    /** @return 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x, treated as 1.1). */
    public int minorVersion()
    {
        return minorVersion;
    }

    /** @return the resource the path names ({@link #KEY}, {@link #SCAN}, ...). */
    public int resource()
    {
        return resource;
    }

    /** @return why the target is unusable (bad escape, key length), or null. */
    public String targetError()
    {
        return targetError;
    }

    /** @return the decoded key's offset in the head area (resource {@link #KEY}). */
    public int keyOffset()
    {
        return keyOffset;
    }

    /** @return the decoded key's length. */
    public int keyLength()
    {
        return keyLength;
    }

    /** @return the raw query's offset in the head area. */
    public int queryOffset()
    {
        return queryOffset;
    }

    /** @return the raw query's length, -1 if the target has no {@code ?}. */
    public int queryLength()
    {
        return queryLength;
    }

    /** @return the body's declared length, {@link #NO_CONTENT_LENGTH}, or {@link #TOO_LARGE}. */
    public long contentLength()
    {
        return contentLength;
    }

    /** @return true if the request had an {@code Expect: 100-continue} that applies (HTTP/1.1). */
    public boolean expectContinue()
    {
        return expectContinue && minorVersion == 1;
    }

    /** @return true if the request had an expectation other than 100-continue (417). */
    public boolean expectOther()
    {
        return expectOther;
    }

    /** @return the bearer token's offset in the head area. */
    public int tokenOffset()
    {
        return tokenOffset;
    }

    /** @return the bearer token's length, -1 if the request had no {@code Authorization: Bearer}. */
    public int tokenLength()
    {
        return tokenLength;
    }

    /**
     * @return true if the connection stays open after this request: HTTP/1.1 unless
     *         {@code Connection: close}; HTTP/1.0 only with {@code Connection: keep-alive}.
     */
    public boolean keepAlive()
    {
        return !connectionClose && (minorVersion == 1 || connectionKeepAlive);
    }
}
