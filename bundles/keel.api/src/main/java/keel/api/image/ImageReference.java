package keel.api.image;

import java.util.regex.Pattern;

import keel.api.KeelException;

/**
 * A normalised image reference, as Docker normalises them: {@code busybox} is
 * {@code docker.io/library/busybox:latest}. A reference with a digest may also have a tag.
 *
 * @param registry the registry host[:port], e.g. {@code docker.io}, {@code 127.0.0.1:5000}
 * @param repository the path, e.g. {@code library/busybox}
 * @param tag the tag, or null when only a digest is given
 * @param digest the manifest digest, or null
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
    public static final String DEFAULT_REGISTRY = "docker.io";
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?|\\[[0-9A-Fa-f:]+\\](?::[0-9]+)?");

    public ImageReference {
        if (!HOST.matcher(registry).matches()) {
            throw KeelException.invalid("invalid registry '%s' in image reference", registry);
        }
        for (String component : repository.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw KeelException.invalid("invalid repository name '%s': components are lower-case letters, "
                        + "digits and separators (., _, __, -)", repository);
            }
        }
        if (repository.length() > 255) {
            throw KeelException.invalid("repository name too long (%d > 255 characters)", repository.length());
        }
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw KeelException.invalid("invalid tag '%s': up to 128 of letters, digits, '_', '.', '-'", tag);
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
    }

    /** Parses {@code [registry/]name[:tag][@digest]} and normalises it as Docker does. */
    public static ImageReference parse(String text) {
        if (text.isEmpty() || text.length() > 512) {
            throw KeelException.invalid("invalid image reference '%s': empty or longer than 512 characters", text);
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parse(rest.substring(at + 1));
            rest = rest.substring(0, at);
        }
        String tag = null;
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String registry = DEFAULT_REGISTRY;
        int first = rest.indexOf('/');
        if (first >= 0) {
            String head = rest.substring(0, first);
            if (head.contains(".") || head.contains(":") || head.equals("localhost")) {
                registry = head;
                rest = rest.substring(first + 1);
            }
        }
        if (registry.equals(DEFAULT_REGISTRY) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** The full form, e.g. {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }

    /** The short form Docker shows, e.g. {@code busybox:latest}. */
    public String familiar() {
        String name = registry.equals(DEFAULT_REGISTRY) && repository.startsWith("library/")
                ? repository.substring("library/".length())
                : registry.equals(DEFAULT_REGISTRY) ? repository : registry + "/" + repository;
        return name + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
