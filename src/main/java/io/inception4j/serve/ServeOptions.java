package io.inception4j.serve;

import java.time.Duration;

/**
 * How a server listens, batches and limits. Every limit is on something a client controls; the defaults suit
 * one machine serving photos (a few megabytes, a few megapixels each).
 *
 * @param host           address to listen on (loopback unless the operator chooses otherwise)
 * @param port           0: any free port
 * @param token          bearer token every request but the health checks must carry, or null for none
 * @param maxBodyBytes   a request body over this is refused with 413 before it is read in full
 * @param maxPixels      an image whose header says more pixels than this is refused with 413 before decoding
 * @param readTimeout    the whole body must arrive within this (a slow or stalled upload gets 408 and is
 *                       dropped); also the connection idle timeout
 * @param requestTimeout from arrival to answer; a request still queued then gets 503 and is never computed
 * @param maxBatch       most requests in one network call
 * @param maxWait        how long the batcher waits for more requests after the first before it runs the batch
 * @param queueSize      requests waiting per model; a full queue answers 503 with Retry-After
 * @param topK           labels per answer when the request does not say ({@code ?k=})
 */
public record ServeOptions(String host, int port, String token, long maxBodyBytes, long maxPixels, Duration readTimeout,
                           Duration requestTimeout, int maxBatch, Duration maxWait, int queueSize, int topK) {
    public static final String LOOPBACK = "127.0.0.1";

    public ServeOptions {
        if (maxBatch < 1 || queueSize < 1 || topK < 1) throw new IllegalArgumentException("max batch, queue size and k must be at least 1");
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("max body must be 1 byte to 2 GB");
        if (token != null && token.isBlank()) throw new IllegalArgumentException("the bearer token is empty");
    }

    /** Loopback port 8080, no token, 16 MB bodies, 100 megapixels, 10 s to upload, 30 s to answer, batches of 16 within 5 ms, 64 queued. */
    public static ServeOptions defaults() {
        return new ServeOptions(LOOPBACK, 8080, null, 16L << 20, 100_000_000L, Duration.ofSeconds(10), Duration.ofSeconds(30),
                16, Duration.ofMillis(5), 64, 3);
    }

    public ServeOptions withPort(int port) {
        return new ServeOptions(host, port, token, maxBodyBytes, maxPixels, readTimeout, requestTimeout, maxBatch, maxWait, queueSize, topK);
    }

    public ServeOptions withToken(String token) {
        return new ServeOptions(host, port, token, maxBodyBytes, maxPixels, readTimeout, requestTimeout, maxBatch, maxWait, queueSize, topK);
    }

    public ServeOptions withLimits(long maxBodyBytes, long maxPixels, Duration readTimeout, Duration requestTimeout) {
        return new ServeOptions(host, port, token, maxBodyBytes, maxPixels, readTimeout, requestTimeout, maxBatch, maxWait, queueSize, topK);
    }

    public ServeOptions withBatching(int maxBatch, Duration maxWait, int queueSize) {
        return new ServeOptions(host, port, token, maxBodyBytes, maxPixels, readTimeout, requestTimeout, maxBatch, maxWait, queueSize, topK);
    }

    public boolean loopback() {
        return host.equals(LOOPBACK) || host.equals("localhost") || host.equals("::1");
    }
}
