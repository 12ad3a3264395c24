package keel.image.oci.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import keel.api.image.Digest;
import keel.image.oci.content.Digests;

/**
 * Busybox images made once per test JVM with tools no one here wrote: GNU tar makes the layer
 * (Debian's static busybox and a /bin/sh link), umoci makes an OCI layout with a linux/amd64 and a
 * linux/arm64 image (different configs), a nested index over both is added as tag {@code multi},
 * and skopeo copies them into an OCI archive, a docker-archive and a multi-platform OCI archive.
 */
public final class Fixtures {
    public static final String AMD64 = "latest";
    public static final String ARM64 = "arm64";
    public static final String MULTI = "multi";
    /** An amd64 image of four small layers (for parallel downloads). */
    public static final String LAYERS = "layers";
    public static final String OCI_ARCHIVE_NAME = "docker.io/library/busybox:1.36";
    public static final String MULTI_ARCHIVE_NAME = "example.com/keel/multi:1";

    private static Fixtures instance;

    public final Path root;
    public final Path layout;
    public final Path ociArchive;
    public final Path dockerArchive;
    public final Path multiArchive;
    public final Digest multiIndex;

    private Fixtures(Path root) throws IOException {
        this.root = root;
        Tools.require("umoci", "skopeo", "tar");
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            throw new AssertionError("/bin/busybox is missing: run .ci/install-deps (busybox-static)");
        }
        Path bin = Files.createDirectories(root.resolve("rootfs/bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        Tools.run(root, "tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C",
                "rootfs", "-cf", "layer.tar", ".");
        layout = root.resolve("layout");
        Tools.run(root, "umoci", "init", "--layout", "layout");
        for (String arch : new String[] {"amd64", "arm64"}) {
            Tools.run(root, "umoci", "new", "--image", "layout:" + arch);
            Tools.run(root, "umoci", "raw", "add-layer", "--image", "layout:" + arch, "layer.tar");
            Tools.run(root, "umoci", "config", "--image", "layout:" + arch, "--os", "linux", "--architecture", arch,
                    "--config.cmd", "/bin/sh");
        }
        Tools.run(root, "umoci", "new", "--image", "layout:" + LAYERS);
        for (int i = 0; i < 4; i++) {
            Path dir = Files.createDirectories(root.resolve("part" + i + "/data"));
            byte[] content = new byte[256 << 10];
            new java.util.Random(i).nextBytes(content); // incompressible, so each layer stays 256 KiB
            Files.write(dir.resolve("part" + i), content);
            Tools.run(root, "tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-C",
                    "part" + i, "-cf", "part" + i + ".tar", ".");
            Tools.run(root, "umoci", "raw", "add-layer", "--image", "layout:" + LAYERS, "part" + i + ".tar");
        }
        Tools.run(root, "umoci", "config", "--image", "layout:" + LAYERS, "--os", "linux", "--architecture", "amd64");
        Tools.run(root, "umoci", "tag", "--image", "layout:amd64", AMD64);
        Tools.run(root, "umoci", "rm", "--image", "layout:amd64");
        Tools.run(root, "umoci", "gc", "--layout", "layout");
        multiIndex = addMultiPlatformIndex(layout);
        ociArchive = root.resolve("busybox-oci.tar");
        dockerArchive = root.resolve("busybox-docker.tar");
        multiArchive = root.resolve("multi-oci.tar");
        Tools.run(root, "skopeo", "copy", "-q", "oci:layout:" + AMD64, "oci-archive:" + ociArchive + ":"
                + OCI_ARCHIVE_NAME);
        Tools.run(root, "skopeo", "copy", "-q", "oci:layout:" + AMD64, "docker-archive:" + dockerArchive
                + ":busybox:latest");
        Tools.run(root, "skopeo", "copy", "-q", "--all", "oci:layout:" + MULTI, "oci-archive:" + multiArchive + ":"
                + MULTI_ARCHIVE_NAME);
    }

    /** The shared fixtures, built on first use and removed when the JVM exits. */
    public static synchronized Fixtures get() {
        if (instance == null) {
            try {
                Path root = Files.createTempDirectory("keel-image-fixtures-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> Tools.deleteTree(root)));
                instance = new Fixtures(root);
            } catch (IOException e) {
                throw new AssertionError("cannot build the image fixtures", e);
            }
        }
        return instance;
    }

    /** Adds an index (as skopeo and registries serve it) over the amd64 and arm64 images, tagged {@link #MULTI}. */
    private static Digest addMultiPlatformIndex(Path layout) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = (ObjectNode) json.readTree(layout.resolve("index.json").toFile());
        ObjectNode multi = json.createObjectNode();
        multi.put("schemaVersion", 2);
        multi.put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode manifests = multi.putArray("manifests");
        for (String[] tagArch : new String[][] {{AMD64, "amd64"}, {ARM64, "arm64"}}) {
            for (JsonNode d : index.get("manifests")) {
                if (tagArch[0].equals(d.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                    ObjectNode entry = manifests.addObject();
                    entry.put("mediaType", d.get("mediaType").asText());
                    entry.put("digest", d.get("digest").asText());
                    entry.put("size", d.get("size").asLong());
                    entry.putObject("platform").put("architecture", tagArch[1]).put("os", "linux");
                }
            }
        }
        if (manifests.size() != 2) {
            throw new AssertionError("umoci's layout lacks the amd64 or arm64 image: " + index);
        }
        byte[] bytes = json.writeValueAsBytes(multi);
        Digest digest = Digests.sha256(bytes);
        Files.write(layout.resolve("blobs/sha256").resolve(digest.hex()), bytes);
        ObjectNode entry = ((ArrayNode) index.get("manifests")).addObject();
        entry.put("mediaType", "application/vnd.oci.image.index.v1+json");
        entry.put("digest", digest.toString());
        entry.put("size", bytes.length);
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", MULTI);
        Files.write(layout.resolve("index.json"), json.writeValueAsBytes(index));
        return digest;
    }

    /** {@code skopeo inspect --raw} of {@code transportReference}: the manifest bytes skopeo sees. */
    public String inspectRaw(String transportReference) {
        return Tools.run(root, "skopeo", "inspect", "--raw", transportReference);
    }

    /** {@code skopeo inspect --config --raw}: the config bytes skopeo sees. */
    public String inspectConfigRaw(String transportReference) {
        return Tools.run(root, "skopeo", "inspect", "--config", "--raw", transportReference);
    }
}
