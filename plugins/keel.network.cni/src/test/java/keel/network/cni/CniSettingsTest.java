package keel.network.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import keel.api.KeelException;

class CniSettingsTest {

    @Test
    void defaults() {
        CniSettings s = CniSettings.from(Map.of(), key -> null);
        assertEquals(Path.of("/etc/keel/cni/net.d"), s.confDir());
        assertEquals(List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin")), s.pluginDirs());
        assertEquals(Path.of("/var/lib/keel/network.cni"), s.stateDir());
        assertEquals(Duration.ofSeconds(30), s.timeout());
        assertEquals("keelcni0", s.defaultBridge());
        assertEquals("10.89.0.0/24", s.defaultSubnet());
    }

    @Test
    void theComponentsConfigurationWinsOverFrameworkProperties() {
        Map<String, String> framework = Map.of("keel.root", "/srv/keel", "keel.network.cni.confdir", "/fw/net.d",
                "keel.network.cni.timeout.ms", "5000");
        CniSettings s = CniSettings.from(Map.of("keel.network.cni.confdir", "/cfg/net.d", "keel.network.cni.path", "/a:/b"),
                framework::get);
        assertEquals(Path.of("/cfg/net.d"), s.confDir());
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), s.pluginDirs());
        assertEquals(Path.of("/srv/keel/network.cni"), s.stateDir());
        assertEquals(Duration.ofSeconds(5), s.timeout());
    }

    @Test
    void badValuesNameTheSetting() {
        KeelException timeout = assertThrows(KeelException.class,
                () -> CniSettings.from(Map.of("keel.network.cni.timeout.ms", "soon"), key -> null));
        assertEquals("keel.network.cni.timeout.ms must be a number of milliseconds, not 'soon'", timeout.getMessage());
        KeelException subnet = assertThrows(KeelException.class,
                () -> CniSettings.from(Map.of("keel.network.cni.subnet", "10.89.0.1/24"), key -> null));
        assertEquals("'10.89.0.1/24' is not a subnet: its host bits are set (did you mean 10.89.0.0/24?)", subnet.getMessage());
    }

    @Test
    void hostRoutesAreReadFromProcNetRoute() {
        List<HostRoutes.Route> routes = HostRoutes.parse(List.of(
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                "keel0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0"));
        assertEquals(List.of(new HostRoutes.Route(Cidr.parse("192.168.0.0/24"), "eth0"),
                new HostRoutes.Route(Cidr.parse("172.17.0.0/16"), "keel0")), routes, "the default route excludes nothing");
    }
}
