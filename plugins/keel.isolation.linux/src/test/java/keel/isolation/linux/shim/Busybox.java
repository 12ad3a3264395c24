package keel.isolation.linux.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** A minimal root filesystem: Debian's static busybox (a copy, never a link), its applets, passwd and group. */
final class Busybox {

    static final Path BINARY = Path.of("/bin/busybox");

    private Busybox() {
    }

    static void createRootfs(Path root) throws IOException, InterruptedException {
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "tmp", "mnt", "root")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(BINARY, root.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        Process list = new ProcessBuilder(BINARY.toString(), "--list-full").start();
        for (String applet : new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            Path link = root.resolve(applet.strip());
            if (!applet.isBlank() && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(link.getParent());
                Files.createSymbolicLink(link, Path.of("/bin/busybox"));
            }
        }
        if (list.waitFor() != 0) {
            throw new IOException("busybox --list-full failed: is busybox-static installed?");
        }
        Files.writeString(root.resolve("etc/passwd"),
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        Files.writeString(root.resolve("etc/group"), "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n");
    }
}
