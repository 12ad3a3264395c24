package keel.image.oci.content;

/**
 * Bounds on what untrusted image input may make Keel read into memory or walk.
 *
 * @param maxJsonBytes the largest JSON document read into memory (index, manifest, config, manifest.json)
 * @param maxArchiveEntries the most entries a tar archive may have
 * @param maxDescriptors the most manifests in an index, layers in a manifest or images in manifest.json
 * @param maxIndexDepth how deep indexes may nest (index -> index -> manifest is depth 1)
 * @param eagerBlobBytes how many bytes of small blobs a tar scan stores before it knows what is
 *     referenced (so that one pass usually brings every JSON document in); the rest wait for a
 *     second pass that stores only referenced blobs
 */
public record Limits(int maxJsonBytes, int maxArchiveEntries, int maxDescriptors, int maxIndexDepth,
        long eagerBlobBytes) {
    /** 4 MiB per JSON document (the distribution spec's manifest limit), 100 000 entries, 1000 descriptors. */
    public static final Limits DEFAULT = new Limits(4 << 20, 100_000, 1000, 4, 64L << 20);

    public Limits {
        if (maxJsonBytes <= 0 || maxArchiveEntries <= 0 || maxDescriptors <= 0 || maxIndexDepth < 0
                || eagerBlobBytes < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
