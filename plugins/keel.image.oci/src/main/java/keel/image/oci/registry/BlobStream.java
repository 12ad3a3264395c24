package keel.image.oci.registry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import keel.api.KeelException;
import keel.api.image.Descriptor;
import keel.api.image.Digest;
import keel.api.image.PullProgress;
import keel.image.oci.content.Digests;

/**
 * One blob's bytes from the registry, as one stream for the content store, however many HTTP
 * requests it takes. A dropped connection is retried (at most {@code attempts} requests in all)
 * from where it stopped with {@code Range: bytes=N-}; a server that answers 200 instead of 206 sends
 * the blob from the start again and the bytes already passed on are skipped. The stream hashes
 * what it passes on and refuses to end with a digest other than the descriptor's, or to give more
 * bytes than its size, so the store never sees a whole wrong blob (and verifies it again).
 *
 * <p>A failure is kept in {@link #failure} with a message naming the registry, repository, blob and
 * cause, since the store may wrap the IOException this stream throws.
 */
final class BlobStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(BlobStream.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final long PROGRESS_STEP = 1 << 20;

    private final RegistrySession session;
    private final Descriptor blob;
    private final String what;
    private final PullProgress progress;
    private final int attempts;
    private final long backoffMillis;
    private final MessageDigest hasher;
    private final URI uri;

    private volatile InputStream body;
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean stalled;
    private long position;
    private long skip;
    private int requests;
    private long reported = -1;
    private boolean finished;
    KeelException failure;

    BlobStream(RegistrySession session, Descriptor blob, String what, PullProgress progress, int attempts,
            long backoffMillis) {
        this.session = session;
        this.blob = blob;
        this.what = what;
        this.progress = progress;
        this.attempts = attempts;
        this.backoffMillis = backoffMillis;
        this.hasher = Digests.hasher(blob.digest().algorithm());
        this.uri = session.endpoint.blob(session.repository, blob.digest());
    }

    /** How many HTTP requests it took. */
    int requests() {
        return requests;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
        if (finished) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (body == null && !open()) {
                continue;
            }
            if (position == blob.size()) {
                return end();
            }
            int n;
            try {
                n = body.read(b, off, (int) Math.min(len, blob.size() - position));
                if (n < 0) {
                    throw new EOFException("the connection ended after " + position + " of " + blob.size() + " bytes");
                }
            } catch (IOException e) {
                retry(e);
                continue;
            }
            if (skip > 0) {
                // a 200 to a resumed request: these bytes were passed on already
                int skipped = (int) Math.min(skip, n);
                skip -= skipped;
                if (skipped == n) {
                    continue;
                }
                System.arraycopy(b, off + skipped, b, off, n - skipped);
                n -= skipped;
                n = (int) Math.min(n, blob.size() - position);
            }
            lastActivity = System.nanoTime();
            hasher.update(b, off, n);
            position += n;
            if (position - reported >= PROGRESS_STEP || position == blob.size()) {
                reported = position;
                progress.update(blob.digest(), "downloading", position, blob.size());
            }
            return n;
        }
    }

    /** At the descriptor's size: nothing more may come, and the digest must be the descriptor's. */
    private int end() throws IOException {
        progress.update(blob.digest(), "verifying", position, blob.size());
        int extra;
        try {
            extra = body.read();
        } catch (IOException e) {
            extra = -1; // the bytes are complete; a late connection error does not matter
        }
        close();
        if (extra >= 0) {
            throw fail(KeelException.invalid("%s: %s: the registry sent more than the %d bytes the manifest says",
                    session.context, what, blob.size()));
        }
        Digest actual = Digests.finish(blob.digest().algorithm(), hasher);
        if (!actual.equals(blob.digest())) {
            throw fail(KeelException.invalid("%s: %s from registry %s, repository %s: digest mismatch: expected %s, "
                    + "got %s", session.context, what, session.endpoint.registry(), session.repository, blob.digest(),
                    actual));
        }
        finished = true;
        return -1;
    }

    /** Sends the (next) request; false if it failed in a way worth retrying (counted). */
    private boolean open() throws IOException {
        if (requests >= attempts) {
            throw fail(KeelException.unavailable("%s: %s: gave up after %d attempts", session.context, what, attempts));
        }
        requests++;
        HttpResponse<InputStream> response;
        try {
            response = session.get(uri, position > 0 ? Map.of("Range", "bytes=" + position + "-") : Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(KeelException.unavailable("%s: %s: interrupted", session.context, what));
        } catch (KeelException e) {
            throw fail(e);
        } catch (IOException e) {
            retry(e);
            return false;
        }
        int status = response.statusCode();
        if (status == 200) {
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length >= 0 && length != blob.size()) {
                response.body().close();
                throw fail(KeelException.invalid("%s: %s: the registry sends %d bytes but the manifest says %d",
                        session.context, what, length, blob.size()));
            }
            skip = position;
            if (position > 0) {
                LOG.info("{}: {}: the registry does not resume (no 206); downloading it again from the start",
                        session.context, what);
            }
            lastActivity = System.nanoTime();
            body = response.body();
            return true;
        }
        if (status == 206 && position > 0) {
            String range = response.headers().firstValue("Content-Range").orElse("");
            Matcher m = CONTENT_RANGE.matcher(range);
            if (!m.matches() || Long.parseLong(m.group(1)) != position
                    || !m.group(3).equals("*") && Long.parseLong(m.group(3)) != blob.size()) {
                response.body().close();
                throw fail(KeelException.invalid("%s: %s: asked for bytes %d- and got Content-Range '%s'",
                        session.context, what, position, range));
            }
            skip = 0;
            lastActivity = System.nanoTime();
            body = response.body();
            return true;
        }
        if (status == 408 || status == 429 || status >= 500) {
            response.body().close();
            retry(new IOException("HTTP " + status));
            return false;
        }
        throw fail(session.refusal(response, what));
    }

    /**
     * Called by the pull's watchdog: a body that gave nothing for {@code idleNanos} is closed, which
     * makes the blocked read fail and the download retry (a stalled connection never hangs a pull).
     */
    void closeIfIdle(long idleNanos) {
        InputStream current = body;
        if (current != null && System.nanoTime() - lastActivity > idleNanos) {
            stalled = true;
            try {
                current.close();
            } catch (IOException ignored) {
                // closing is the point
            }
        }
    }

    private void retry(IOException failed) throws IOException {
        IOException cause = failed;
        if (stalled) {
            stalled = false;
            cause = new IOException("no data from the registry for too long (stalled)", failed);
        }
        closeBody();
        if (cause instanceof InterruptedIOException || Thread.currentThread().isInterrupted()) {
            throw fail(KeelException.unavailable("%s: %s: interrupted", session.context, what));
        }
        if (requests >= attempts) {
            throw fail(new KeelException(keel.api.ErrorKind.UNAVAILABLE, String.format("%s: %s from registry %s, "
                    + "repository %s: failed after %d attempts: %s", session.context, what,
                    session.endpoint.registry(), session.repository, attempts, cause.getMessage()), cause));
        }
        LOG.warn("{}: {}: {} after {} of {} bytes; retrying ({} of {} attempts)", session.context, what,
                cause.getMessage(), position, blob.size(), requests + 1, attempts);
        progress.update(blob.digest(), "retrying", position, blob.size());
        try {
            Thread.sleep(backoffMillis * requests);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(KeelException.unavailable("%s: %s: interrupted", session.context, what));
        }
    }

    private IOException fail(KeelException e) {
        closeBody();
        failure = e;
        return new IOException(e.getMessage(), e);
    }

    private void closeBody() {
        InputStream current = body;
        body = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // the connection is being dropped anyway
            }
        }
    }

    @Override
    public void close() {
        closeBody();
    }
}
