package keel.api.container;

import java.util.List;

/**
 * What {@code keel commit} asks for.
 *
 * @param reference the new image's name, {@code NAME[:TAG]}
 * @param message the history entry's comment ({@code -m}), or null
 * @param author the image's author ({@code -a}), or null
 * @param changes Dockerfile instructions applied to the image config ({@code -c 'CMD ...'}):
 *        CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR
 * @param pause freeze a running container while its layer is read (Docker's default)
 */
public record CommitRequest(String reference, String message, String author, List<String> changes, boolean pause) {
    public CommitRequest {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }
}
