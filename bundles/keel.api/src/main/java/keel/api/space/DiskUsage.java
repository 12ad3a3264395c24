package keel.api.space;

import java.util.List;

/**
 * {@code keel system df}: a summary per kind and, for {@code -v}, a row per image and container.
 *
 * @param images every image, its blobs and unpacked layers (and content no image uses any more)
 * @param containers the containers' writable layers
 * @param volumes local volumes
 * @param buildCache the build cache (Keel does not build: always empty)
 */
public record DiskUsage(Summary images, Summary containers, Summary volumes, Summary buildCache,
        List<ImageUsage> imageRows, List<ContainerUsage> containerRows) {
    public DiskUsage {
        imageRows = List.copyOf(imageRows);
        containerRows = List.copyOf(containerRows);
    }

    /**
     * One kind's line.
     *
     * @param total how many there are
     * @param active how many are in use (images: by a container; containers: running or paused)
     * @param size bytes on disk
     * @param reclaimable bytes a prune of everything unused ({@code system prune -a}) would free
     */
    public record Summary(int total, int active, long size, long reclaimable) {
        public static final Summary NONE = new Summary(0, 0, 0, 0);
    }

    /**
     * One image.
     *
     * @param id the image id (config digest)
     * @param names its references
     * @param created when it was built, or null
     * @param size its blobs and unpacked layers
     * @param sharedSize the part other images use too
     * @param containers how many containers use it
     */
    public record ImageUsage(String id, List<String> names, java.time.Instant created, long size, long sharedSize,
            int containers) {
        public ImageUsage {
            names = List.copyOf(names);
        }

        public long uniqueSize() {
            return size - sharedSize;
        }
    }

    /**
     * One container.
     *
     * @param id its id
     * @param name its name
     * @param image the image it was created from (as given), or null for --rootfs
     * @param command its command
     * @param created when it was created
     * @param status its status label
     * @param size its writable layer's bytes
     */
    public record ContainerUsage(String id, String name, String image, List<String> command,
            java.time.Instant created, String status, long size) {
        public ContainerUsage {
            command = List.copyOf(command);
        }
    }
}
