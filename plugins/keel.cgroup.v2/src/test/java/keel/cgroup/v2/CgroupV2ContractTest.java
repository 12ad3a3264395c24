package keel.cgroup.v2;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import keel.api.cgroup.CgroupDriver;
import keel.cgroup.testsuite.CgroupDriverContract;

/**
 * The CgroupDriver contract against this host's real cgroup2 mount: create, cgroup.procs join,
 * cgroup.threads counting, cpu.stat, cgroup.freeze with cgroup.events, cgroup.kill, removal, and the
 * eBPF device program every create attaches. Limits need controllers; see CgroupV2FileFormatTest.
 */
class CgroupV2ContractTest extends CgroupDriverContract {

    @BeforeAll
    static void banner() {
        V2TestCgroups.banner("the CgroupDriver contract (create + eBPF attach, cgroup.procs, cgroup.threads, cpu.stat, "
                + "cgroup.freeze/cgroup.events, cgroup.kill, rmdir, adopt)");
    }

    @AfterAll
    static void removeParent() {
        V2TestCgroups.removeParent();
    }

    @Override
    protected CgroupDriver newDriver() {
        return V2TestCgroups.driver();
    }

    @Override
    protected String version() {
        return "v2";
    }

    @Override
    protected List<Path> parentDirectories() {
        return List.of(V2TestCgroups.parent());
    }
}
