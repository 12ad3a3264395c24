package keel.cgroup.v1;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import keel.api.cgroup.CgroupDriver;
import keel.cgroup.testsuite.CgroupDriverContract;

/** The CgroupDriver contract against this host's real v1 hierarchies. */
class CgroupV1ContractTest extends CgroupDriverContract {

    @BeforeAll
    static void banner() {
        V1TestCgroups.banner("the CgroupDriver contract (create, join, pids, stats, freezer, kill, destroy, adopt)");
    }

    @AfterAll
    static void removeParent() {
        V1TestCgroups.removeParents();
    }

    @Override
    protected CgroupDriver newDriver() {
        return V1TestCgroups.driver();
    }

    @Override
    protected String version() {
        return "v1";
    }

    @Override
    protected List<Path> parentDirectories() {
        return V1TestCgroups.parents();
    }
}
