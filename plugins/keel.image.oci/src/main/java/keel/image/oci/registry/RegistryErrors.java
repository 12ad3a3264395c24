package keel.image.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.ErrorKind;
import keel.api.KeelException;
import keel.image.oci.content.Json;

/**
 * Turns a registry's refusal into one {@link KeelException} that names the registry, the
 * repository and what failed, with the registry's own error codes ({@code MANIFEST_UNKNOWN: ...})
 * when its body has them.
 */
final class RegistryErrors {
    private static final int MAX_ERROR_BODY = 64 << 10;

    private RegistryErrors() {
    }

    /**
     * @param context e.g. {@code pull 127.0.0.1:5000/busybox:latest}
     * @param what e.g. {@code manifest busybox:latest} or {@code blob sha256:...}
     * @param credentials whether credentials were given
     */
    static KeelException fromResponse(HttpResponse<InputStream> response, String context, String registry,
            String repository, String what, boolean credentials) {
        String detail = body(response);
        int status = response.statusCode();
        String suffix = " (registry " + registry + (repository == null ? "" : ", repository " + repository)
                + ", HTTP " + status
                + (detail.isEmpty() ? "" : ": " + detail) + ")";
        return switch (status) {
            case 401 -> new KeelException(ErrorKind.PERMISSION_DENIED, context + ": " + (credentials
                    ? "denied: the registry rejected the credentials for " + what
                    : "authentication required for " + what + ": the registry needs credentials") + suffix);
            case 403 -> new KeelException(ErrorKind.PERMISSION_DENIED, context + ": denied: access to " + what
                    + " is forbidden" + suffix);
            case 404 -> new KeelException(ErrorKind.NOT_FOUND, context + ": " + (what.startsWith("manifest ")
                    ? "manifest unknown: " + what.substring("manifest ".length()) : what + " unknown") + suffix);
            case 429 -> new KeelException(ErrorKind.UNAVAILABLE, context + ": too many requests for " + what
                    + ", retry later" + suffix);
            default -> new KeelException(status >= 500 ? ErrorKind.UNAVAILABLE : ErrorKind.INVALID_ARGUMENT,
                    context + ": the registry refused " + what + suffix);
        };
    }

    /** The registry's {@code errors} as {@code CODE: message}, or a short plain body; never more than 64 KiB read. */
    static String body(HttpResponse<InputStream> response) {
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return "";
        }
        if (bytes.length == 0) {
            return "";
        }
        try {
            JsonNode errors = Json.parseObject(bytes, "error body").get("errors");
            if (errors != null && errors.isArray()) {
                List<String> parts = new ArrayList<>();
                for (JsonNode error : errors) {
                    parts.add(error.path("code").asText("?") + ": " + error.path("message").asText(""));
                }
                if (!parts.isEmpty()) {
                    return String.join("; ", parts);
                }
            }
        } catch (KeelException notJson) {
            // fall through to the plain text
        }
        String text = new String(bytes, 0, Math.min(bytes.length, 200), java.nio.charset.StandardCharsets.UTF_8);
        return text.replaceAll("[\\p{Cntrl}]+", " ").strip();
    }
}
