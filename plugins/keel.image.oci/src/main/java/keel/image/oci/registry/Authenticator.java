package keel.image.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.api.image.RegistryAuth;
import keel.image.oci.content.Json;

/**
 * Answers a registry's 401 challenge, once per challenge: {@code Basic} with the credentials, or
 * {@code Bearer} by asking the token service ({@code realm?service=...&scope=repository:NAME:pull},
 * with the credentials as Basic if any) for a {@code token} or {@code access_token}. Credentials
 * are never sent over plain HTTP except to a loopback host or when the operator allowed it
 * ({@link RegistryAuth#insecure()}); the password is never logged or put in a message.
 */
final class Authenticator {
    private static final int MAX_TOKEN_RESPONSE = 1 << 20;

    private final HttpClient client;
    private final RegistryAuth auth;
    private final String context;
    private final String repository;
    private volatile String header;

    Authenticator(HttpClient client, RegistryAuth auth, String context, String repository) {
        this.client = client;
        this.auth = auth;
        this.context = context;
        this.repository = repository;
    }

    boolean hasCredentials() {
        return auth.username() != null && !auth.username().isEmpty();
    }

    /** The Authorization header to send to the registry, if a challenge was answered. */
    Optional<String> header() {
        return Optional.ofNullable(header);
    }

    /**
     * Answers {@code challenges} unless another thread already did since {@code sent} was sent.
     *
     * @return false if nothing can be answered (no credentials for Basic, no known scheme)
     */
    synchronized boolean answer(List<String> challenges, String sent) throws IOException, InterruptedException {
        if (header != null && !header.equals(sent)) {
            return true; // refreshed meanwhile: retry with the new header
        }
        List<Challenge> parsed = Challenge.parse(challenges);
        Challenge bearer = parsed.stream().filter(c -> c.is("Bearer")).findFirst().orElse(null);
        if (bearer != null) {
            header = "Bearer " + token(bearer);
            return true;
        }
        if (parsed.stream().anyMatch(c -> c.is("Basic")) && hasCredentials()) {
            header = basic();
            return true;
        }
        return false;
    }

    private String basic() {
        String pair = auth.username() + ":" + (auth.password() == null ? "" : auth.password());
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private String token(Challenge challenge) throws IOException, InterruptedException {
        String realm = challenge.parameters().get("realm");
        URI uri;
        try {
            uri = URI.create(realm == null ? "" : realm);
        } catch (IllegalArgumentException e) {
            throw KeelException.invalid("%s: the registry's token realm '%s' is not a URL", context, realm);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                || uri.getHost() == null) {
            throw KeelException.invalid("%s: the registry's token realm '%s' is not an http(s) URL", context, realm);
        }
        boolean plain = uri.getScheme().equals("http");
        if (plain && hasCredentials() && !auth.insecure() && !Endpoint.isLoopback(uri.getHost())) {
            throw new KeelException(ErrorKind.PERMISSION_DENIED, context + ": the token service " + uri.getHost()
                    + " is plain HTTP; credentials are not sent over it unless the registry is marked insecure");
        }
        StringBuilder query = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery());
        String service = challenge.parameters().get("service");
        if (service != null) {
            append(query, "service", service);
        }
        String scope = challenge.parameters().get("scope");
        if (scope == null && repository != null) {
            scope = "repository:" + repository + ":pull";
        }
        if (scope != null) { // none for a sign-in (docker login), which names no repository
            append(query, "scope", scope);
        }
        URI tokenUri = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null
                ? "" : uri.getRawPath()) + "?" + query);
        HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).GET().timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json").header("User-Agent", RegistryPuller.USER_AGENT);
        if (plain) {
            request.version(HttpClient.Version.HTTP_1_1);
        }
        if (hasCredentials()) {
            request.header("Authorization", basic());
        }
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            String detail = RegistryErrors.body(response);
            throw new KeelException(ErrorKind.PERMISSION_DENIED, context + ": " + (hasCredentials()
                    ? "denied: the token service " + uri.getHost() + " rejected the credentials of user "
                            + auth.username()
                    : "authentication required: the token service " + uri.getHost() + " gives no anonymous access")
                    + (repository == null ? "" : " for repository " + repository)
                    + (detail.isEmpty() ? "" : " (" + detail + ")"));
        }
        if (response.statusCode() != 200) {
            String detail = RegistryErrors.body(response);
            throw KeelException.unavailable("%s: the token service %s answered HTTP %d%s", context, uri.getHost(),
                    response.statusCode(), detail.isEmpty() ? "" : " (" + detail + ")");
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = Json.readBounded(in, MAX_TOKEN_RESPONSE, "the token service's answer");
        }
        JsonNode json = Json.parseObject(body, "the token service's answer");
        String token = json.path("token").asText("");
        if (token.isEmpty()) {
            token = json.path("access_token").asText("");
        }
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw KeelException.invalid("%s: the token service %s gave no usable token", context, uri.getHost());
        }
        return token;
    }

    private static void append(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
