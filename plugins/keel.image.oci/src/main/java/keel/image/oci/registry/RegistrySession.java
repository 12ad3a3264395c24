package keel.image.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import keel.api.KeelException;
import keel.api.image.RegistryAuth;

/**
 * GET requests to one repository of one registry: answers 401 challenges through the
 * {@link Authenticator} and follows redirects itself (at most 5), sending the Authorization header
 * only to the registry's own scheme, host and port (blob downloads are often redirected to a CDN,
 * which must not see the token) and refusing a redirect from https to http.
 */
final class RegistrySession {
    private static final int MAX_REDIRECTS = 5;

    final Endpoint endpoint;
    final String repository;
    final String context;
    final Authenticator authenticator;
    private final HttpClient client;
    private final Duration timeout;

    RegistrySession(HttpClient client, Endpoint endpoint, String repository, RegistryAuth auth, String context,
            Duration timeout) {
        this.client = client;
        this.endpoint = endpoint;
        this.repository = repository;
        this.context = context;
        this.timeout = timeout;
        this.authenticator = new Authenticator(client, auth, context, repository);
    }

    /**
     * Sends GET {@code uri} with {@code headers}; returns the final response, whatever its status
     * (the caller maps refusals). The caller must close the body.
     */
    HttpResponse<InputStream> get(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        boolean challenged = false;
        URI target = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(target).GET().timeout(timeout)
                    .header("User-Agent", RegistryPuller.USER_AGENT);
            if (target.getScheme().equals("http")) {
                request.version(HttpClient.Version.HTTP_1_1);
            }
            headers.forEach(request::header);
            String sent = null;
            if (endpoint.owns(target)) {
                sent = authenticator.header().orElse(null);
                if (sent != null) {
                    request.header("Authorization", sent);
                }
            }
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            int status = response.statusCode();
            if (status == 401 && !challenged && endpoint.owns(target)) {
                challenged = true;
                var challenges = response.headers().allValues("WWW-Authenticate");
                boolean answered;
                try {
                    answered = !challenges.isEmpty() && authenticator.answer(challenges, sent);
                } catch (IOException | InterruptedException | RuntimeException e) {
                    response.body().close();
                    throw e;
                }
                if (answered) {
                    response.body().close();
                    hop--; // the same request again, with credentials: not a redirect
                    continue;
                }
                return response; // nothing to answer with: the caller reports the 401
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = response.headers().firstValue("Location").orElse(null);
                response.body().close();
                if (location == null) {
                    throw KeelException.invalid("%s: the registry redirected %s without a Location", context, target);
                }
                URI next = target.resolve(location);
                if (!"https".equals(next.getScheme()) && !"http".equals(next.getScheme())) {
                    throw KeelException.invalid("%s: the registry redirected to a non-HTTP URL", context);
                }
                if (target.getScheme().equals("https") && next.getScheme().equals("http")) {
                    throw KeelException.invalid("%s: the registry redirected from https to plain http (%s); refused",
                            context, next.getHost());
                }
                target = next;
                continue;
            }
            return response;
        }
        throw KeelException.invalid("%s: more than %d redirects for %s", context, MAX_REDIRECTS, uri);
    }

    KeelException refusal(HttpResponse<InputStream> response, String what) {
        return RegistryErrors.fromResponse(response, context, endpoint.registry(), repository, what,
                authenticator.hasCredentials());
    }
}
