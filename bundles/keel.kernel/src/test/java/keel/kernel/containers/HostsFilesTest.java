package keel.kernel.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import keel.api.KeelException;
import keel.api.network.PortMapping;

class HostsFilesTest {
    static final HostsFiles.Member WEB = new HostsFiles.Member("w", "w0", List.of(
            new HostsFiles.Endpoint("user", "10.1.0.2", List.of("web", "www"))));
    static final HostsFiles.Member DB = new HostsFiles.Member("d", "d0", List.of(
            new HostsFiles.Endpoint("user", "10.1.0.3", List.of("db")),
            new HostsFiles.Endpoint("other", "10.2.0.2", List.of("db"))));
    static final HostsFiles.Member LONER = new HostsFiles.Member("l", "l0", List.of(
            new HostsFiles.Endpoint("default", "172.17.0.2", List.of("loner"))));

    @Test
    void aContainerSeesItsPeersOnResolvingNetworksOnly() {
        List<HostsFiles.Member> all = List.of(WEB, DB, LONER);
        Set<String> resolving = Set.of("user", "other");
        assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.0.2\tw0\n"
                + "10.1.0.2\tweb www\n10.1.0.3\tdb\n", HostsFiles.content(WEB, all, resolving));
        assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.0.3\td0\n"
                + "10.1.0.2\tweb www\n10.1.0.3\tdb\n10.2.0.2\tdb\n", HostsFiles.content(DB, all, resolving));
        // the default network resolves no names: only the container's own hostname
        assertEquals("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.17.0.2\tl0\n",
                HostsFiles.content(LONER, all, resolving));
    }

    @Test
    void aRewriteIsInPlaceAndNeverShortensTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hosts");
        HostsFiles.write(file, "a\nbbbbbbbb\n");
        Object inode = Files.getAttribute(file, "unix:ino");
        HostsFiles.write(file, "c\n");
        assertEquals(inode, Files.getAttribute(file, "unix:ino"), "a bind-mounted file must keep its inode");
        assertEquals("c\n" + "\n".repeat(9), Files.readString(file));
        HostsFiles.write(file, "c\nlonger than before\n");
        assertEquals("c\nlonger than before\n", Files.readString(file));
    }

    @Test
    void publishAllAddsTheExposedPortsNotPublishedYet() {
        PortMapping asked = new PortMapping(null, 8080, 80, "tcp");
        assertEquals(List.of(asked, new PortMapping(null, 0, 443, "tcp"), new PortMapping(null, 0, 53, "udp")),
                ContainerNetworks.publishAll(List.of(asked), Set.of("80/tcp", "443/tcp", "53/udp")));
        assertThrows(KeelException.class, () -> ContainerNetworks.publishAll(List.of(), Set.of("http/tcp")));
    }
}
