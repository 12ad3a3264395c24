package keel.isolation.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import keel.api.KeelException;
import keel.api.isolation.ExecRequest;
import keel.api.isolation.LaunchRequest;
import keel.api.isolation.Stdio;
import keel.api.runtime.Device;
import keel.api.runtime.Mount;
import keel.api.runtime.Namespace;
import keel.api.runtime.ProcessSpec;
import keel.api.runtime.Rlimit;
import keel.api.runtime.RuntimeSpec;
import keel.isolation.linux.seccomp.SeccompCompiler;
import keel.isolation.linux.shim.LinuxAbi;
import keel.isolation.linux.shim.ShimMessage;

/**
 * Turns the kernel's OCI-shaped spec into the shim's message: mount options into flags and data,
 * capability and rlimit names into numbers, namespaces into clone flags, seccomp into BPF.
 */
final class SpecTranslator {
    private SpecTranslator() {
    }

    static ShimMessage forRun(LaunchRequest request) {
        RuntimeSpec spec = request.spec();
        ShimMessage m = new ShimMessage().mode(ShimMessage.Mode.RUN).id(request.containerId())
                .rootfs(spec.root().path()).rootfsReadonly(spec.root().readonly());
        for (Mount mount : request.rootfs()) {
            Options o = Options.parse(mount.options());
            m.rootfsMount(o.flags(), mount.type(), mount.source(), o.data());
        }
        for (Mount mount : spec.mounts()) {
            Options o = Options.parse(mount.options());
            long flags = o.flags() | (mount.type().equals("bind") ? LinuxAbi.MS_BIND : 0);
            m.mount(flags, mount.destination(), mount.type(), mount.source(), o.data());
        }
        spec.linux().maskedPaths().forEach(m::mask);
        spec.linux().readonlyPaths().forEach(m::readonly);
        for (Device d : spec.linux().devices()) {
            m.device(d.path(), d.type().charAt(0), (int) d.major(), (int) d.minor(), d.fileMode(), d.uid(), d.gid());
        }
        if (spec.hostname() != null) {
            m.hostname(spec.hostname());
        }
        spec.linux().sysctl().forEach(m::sysctl);
        int create = 0;
        for (Namespace ns : spec.linux().namespaces()) {
            if (ns.path() == null) {
                create |= cloneFlag(ns.type());
            } else {
                m.joinNamespace(shortName(ns.type()), ns.path());
            }
        }
        m.namespaces(create);
        process(m, spec, spec.process());
        stdio(m, request.stdio(), request.stateDir());
        m.init("true".equals(spec.annotations().get(RuntimeSpec.ANNOTATION_INIT)));
        return m;
    }

    static ShimMessage forExec(ExecRequest request) {
        ShimMessage m = new ShimMessage().mode(ShimMessage.Mode.EXEC).id(request.containerId());
        Map<String, String> namespaces = request.container().namespaces();
        for (String type : List.of("ipc", "uts", "net", "pid", "mnt", "cgroup")) {
            String path = namespaces.get(type);
            if (path != null) {
                m.joinNamespace(type, path);
            }
        }
        process(m, request.spec(), request.process());
        stdio(m, request.stdio(), request.stateDir());
        return m;
    }

    private static void process(ShimMessage m, RuntimeSpec spec, ProcessSpec p) {
        m.args(p.args()).env(p.env()).cwd(p.cwd()).uid(p.user().uid()).gid(p.user().gid());
        p.user().additionalGids().forEach(m::additionalGid);
        var caps = p.capabilities();
        m.capabilities(LinuxAbi.capabilities(caps.bounding()), LinuxAbi.capabilities(caps.effective()),
                LinuxAbi.capabilities(caps.inheritable()), LinuxAbi.capabilities(caps.permitted()),
                LinuxAbi.capabilities(caps.ambient()));
        for (Rlimit r : p.rlimits()) {
            m.rlimit(LinuxAbi.rlimit(r.type()), r.soft(), r.hard());
        }
        m.noNewPrivileges(p.noNewPrivileges());
        if (spec.linux().seccomp() != null) {
            m.seccomp(SeccompCompiler.compile(spec.linux().seccomp()));
        }
        m.tty(p.terminal());
    }

    private static void stdio(ShimMessage m, Stdio stdio, String stateDir) {
        m.openStdin(stdio.openStdin()).stateDir(stateDir);
        if (stdio.logPath() != null) {
            m.log(stdio.logPath());
        }
    }

    static int cloneFlag(String type) {
        return switch (type) {
            case "pid" -> LinuxAbi.CLONE_NEWPID;
            case "mount" -> LinuxAbi.CLONE_NEWNS;
            case "uts" -> LinuxAbi.CLONE_NEWUTS;
            case "ipc" -> LinuxAbi.CLONE_NEWIPC;
            case "network" -> LinuxAbi.CLONE_NEWNET;
            case "cgroup" -> LinuxAbi.CLONE_NEWCGROUP;
            case "user" -> throw KeelException.invalid("user namespaces are not supported yet");
            default -> throw KeelException.invalid("unknown namespace type %s", type);
        };
    }

    static String shortName(String type) {
        return switch (type) {
            case "network" -> "net";
            case "mount" -> "mnt";
            default -> type;
        };
    }

    /** OCI mount options split into mount(2) flags and the filesystem's data string. */
    record Options(long flags, String data) {
        static Options parse(List<String> options) {
            long flags = 0;
            List<String> data = new ArrayList<>();
            for (String o : options) {
                switch (o) {
                    case "ro" -> flags |= LinuxAbi.MS_RDONLY;
                    case "rw", "suid", "dev", "exec", "async", "atime", "diratime", "norelatime", "private", "rprivate",
                            "slave", "rslave", "shared", "rshared", "unbindable", "runbindable", "defaults" -> {
                        // the default, or propagation (every container mount is private)
                    }
                    case "nosuid" -> flags |= LinuxAbi.MS_NOSUID;
                    case "nodev" -> flags |= LinuxAbi.MS_NODEV;
                    case "noexec" -> flags |= LinuxAbi.MS_NOEXEC;
                    case "sync" -> flags |= LinuxAbi.MS_SYNCHRONOUS;
                    case "dirsync" -> flags |= LinuxAbi.MS_DIRSYNC;
                    case "remount" -> flags |= LinuxAbi.MS_REMOUNT;
                    case "bind" -> flags |= LinuxAbi.MS_BIND;
                    case "rbind" -> flags |= LinuxAbi.MS_BIND | LinuxAbi.MS_REC;
                    case "noatime" -> flags |= LinuxAbi.MS_NOATIME;
                    case "nodiratime" -> flags |= LinuxAbi.MS_NODIRATIME;
                    case "relatime" -> flags |= LinuxAbi.MS_RELATIME;
                    case "strictatime" -> flags |= LinuxAbi.MS_STRICTATIME;
                    case "nosymfollow" -> flags |= LinuxAbi.MS_NOSYMFOLLOW;
                    default -> {
                        if (o.startsWith("x-keel.chdir=")) {
                            throw KeelException.invalid("this root needs relative overlay layer paths (an image with "
                                    + "very many layers): not supported by the linux isolation driver yet");
                        }
                        if (!o.startsWith("x-")) {
                            data.add(o); // x-* options are for the caller, never the kernel
                        }
                    }
                }
            }
            return new Options(flags, String.join(",", data));
        }
    }
}
